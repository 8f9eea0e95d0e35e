"""Edit history (修正履歴): one row per saved change of a patient's record (R21)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, new_id, utcnow


class RecordVersion(Base):
    """Who changed which fields of a record, from what to what, and why."""

    __tablename__ = "record_versions"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id", "version", name="uq_record_versions_record_version"),
        Index("ix_record_versions_person_id", "person_id", "changed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    record_type: Mapped[str] = mapped_column(String(30), nullable=False)
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    person_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    changed_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    reason: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # {field: [old, new]}
