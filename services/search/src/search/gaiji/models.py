"""The 外字 master as masters last described it (MasterChanged, kind gaiji)."""

from __future__ import annotations

from tbms_core.db import Base
from tbms_core.gaiji_records import GaijiRecordColumns


class GaijiRecord(GaijiRecordColumns, Base):
    """One 外字 and its 代替文字 with the days it is in force; ended ones are kept (the master's history)."""

    __tablename__ = "search_gaiji_records"  # patients keeps gaiji_records, contacts contact_gaiji_records
