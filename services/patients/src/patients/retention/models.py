"""The record of a deletion by the retention rule: which registration, when excluded, when deleted, by whom and
why. No name or other personal data: it proves the deletion without keeping what was deleted."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, new_id, utcnow


class RetentionDeletion(Base):
    """One patient's registration record deleted after its retention period."""

    __tablename__ = "retention_deletions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, unique=True)
    registration_no: Mapped[str] = mapped_column(String(40), nullable=False)
    excluded_on: Mapped[date] = mapped_column(Date, nullable=False)
    deleted_on: Mapped[date] = mapped_column(Date, nullable=False)  # Japan's day
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    deleted_by: Mapped[str] = mapped_column(String(64), nullable=False)
    deleted_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    retention_years: Mapped[int] = mapped_column(nullable=False)
    rows_deleted: Mapped[int] = mapped_column(nullable=False, default=0)
