"""The 外字 master as masters last described it (MasterChanged, kind gaiji)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class GaijiRecord(Base):
    """One 外字 and its 代替文字 with the days it is in force; ended ones are kept (the master's history)."""

    __tablename__ = "gaiji_records"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)  # U+20BB7
    character: Mapped[str] = mapped_column(String(1), nullable=False)
    substitute: Mapped[str] = mapped_column(Text, nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
