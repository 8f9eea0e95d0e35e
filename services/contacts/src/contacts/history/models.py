"""Edit history (修正履歴) of contacts and their screening: one row per saved change (R21)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, new_id, utcnow


class ContactVersion(Base):
    """Who changed which fields of a contact record, from what to what, and why."""

    __tablename__ = "contact_versions"
    __table_args__ = (Index("ix_contact_versions_contact_id", "contact_id", "changed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    record_type: Mapped[str] = mapped_column(String(30), nullable=False)  # contact, exposure, exam
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # the contact's version after the change
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    changed_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # {field: [old, new]}
