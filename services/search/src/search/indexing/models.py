"""The ledger of what the index holds: the newest version applied per record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class IndexedVersion(Base):
    """The newest aggregate version of one record that was sent to the index."""

    __tablename__ = "indexed_versions"

    record_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
