"""Where each circulation (回議) of a record stands, as workflow last published it, with the stamps a form prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class CirculationStamp(Base):
    """One circulation of a record as of its newest event applied (`version`): status and stamp boxes."""

    __tablename__ = "circulation_stamps"
    __table_args__ = (Index("ix_circulation_stamps_record", "service", "record_kind", "record_id"),)

    circulation_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the event
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # decision (回議) / reading (供覧)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    service: Mapped[str] = mapped_column(String(20), nullable=False)
    record_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False)
    approved: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    changed_since_approval: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    stamps: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    # when reports first heard of the circulation: the newest of a record's circulations is the one a form prints
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
