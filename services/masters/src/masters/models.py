"""Every table of the masters database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from masters.district.models import District

metadata = Base.metadata
__all__ = ["District", "InboxMessage", "OutboxMessage", "metadata"]
