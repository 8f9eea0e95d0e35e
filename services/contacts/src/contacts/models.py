"""Every table of the contacts database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from contacts.index_case.models import IndexCase

metadata = Base.metadata
__all__ = ["InboxMessage", "IndexCase", "OutboxMessage", "metadata"]
