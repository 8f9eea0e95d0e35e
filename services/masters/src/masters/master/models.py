"""Master records of every kind, and the edit history of each (who, when, what changed, why)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id, utcnow


class MasterRecord(Versioned, Base):
    """One row of one kind of master (a 医療機関, a 医師, a 地区 …), effective from valid_from to valid_to."""

    __tablename__ = "master_records"
    __table_args__ = (
        UniqueConstraint("kind", "code", name="uq_master_records_kind_code"),
        Index("ix_master_records_kind_code_pattern", "kind", "code", postgresql_ops={"code": "text_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)  # record_id(kind, code)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    code: Mapped[str] = mapped_column(String(80), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kana: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    search_key: Mapped[str] = mapped_column(Text, nullable=False, default="")  # folded name and カナ, one per line
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)


class MasterRecordVersion(Base):
    """One saved change of a master record: its version after the change, by whom, why, and {field: [old, new]}."""

    __tablename__ = "master_record_versions"
    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_master_record_versions_record_version"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    record_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("master_records.id", name="fk_master_record_versions_record"), nullable=False
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    changed_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # {field: [old, new]}
