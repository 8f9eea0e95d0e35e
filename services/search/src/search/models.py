"""Every table of the search database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from search.gaiji.models import GaijiRecord
from search.indexing.models import DotsPlan, IndexedVersion, LinkedContact, LinkedPatient
from search.rebuild.models import Rebuild

metadata = Base.metadata
__all__ = [
    "DotsPlan",
    "GaijiRecord",
    "InboxMessage",
    "IndexedVersion",
    "LinkedContact",
    "LinkedPatient",
    "OutboxMessage",
    "Rebuild",
    "metadata",
]
