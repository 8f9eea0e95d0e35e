"""Every table of the contacts database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from contacts.index_case.models import IndexCase
from contacts.institution.models import Institution

metadata = Base.metadata
__all__ = ["InboxMessage", "IndexCase", "Institution", "OutboxMessage", "metadata"]
