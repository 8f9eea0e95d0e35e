"""Every table of the search database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from search.indexing.models import DotsPlan, IndexedVersion, LinkedContact, LinkedPatient

metadata = Base.metadata
__all__ = [
    "DotsPlan",
    "InboxMessage",
    "IndexedVersion",
    "LinkedContact",
    "LinkedPatient",
    "OutboxMessage",
    "metadata",
]
