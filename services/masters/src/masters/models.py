"""Every table of the masters database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from masters.master.models import MasterRecord, MasterRecordVersion

metadata = Base.metadata
__all__ = ["InboxMessage", "MasterRecord", "MasterRecordVersion", "OutboxMessage", "metadata"]
