"""The master data forms print (letterhead, institutions, health centers, doctors, board members)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class MasterSnapshot(Base):
    """One master record as of the newest snapshot applied (`version`); ended rows are kept for old documents."""

    __tablename__ = "master_snapshots"

    kind: Mapped[str] = mapped_column(String(30), primary_key=True)  # institution, doctor, letterhead, …
    code: Mapped[str] = mapped_column(String(100), primary_key=True)  # 医療機関コード, `self` for the letterhead, …
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kana: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # the kind's own fields as masters sends them (address, phone, director_name, institution_code, …)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
