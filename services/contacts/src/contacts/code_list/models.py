"""The contacts service's code lists as masters' コード表 sends them (MasterChanged)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class CodeEntry(Base):
    """One code of one list as of the newest MasterChanged snapshot applied (`version`); ended ones are kept, so
    old records keep showing their label."""

    __tablename__ = "contact_code_entries"  # patients keeps its own code_entries

    list: Mapped[str] = mapped_column(String(30), primary_key=True)  # contact_setting, screening_exam …
    value: Mapped[str] = mapped_column(String(40), primary_key=True)  # the code records store
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    sort_order: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
