"""Configurable fields (R33): definitions administrators add to patient, test-result and treatment records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class FieldDefinition(Versioned, Base):
    """One added item: where it appears, its Japanese label, its type and choices, and when it is in use."""

    __tablename__ = "field_definitions"
    __table_args__ = (
        UniqueConstraint("target", "key", name="uq_field_definitions_target_key"),
        CheckConstraint("target IN ('patient', 'lab_result', 'treatment')", name="target"),
        CheckConstraint("type IN ('text', 'number', 'date', 'choice', 'multi_choice', 'yes_no')", name="type"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    target: Mapped[str] = mapped_column(String(20), nullable=False)  # patient, lab_result, treatment
    key: Mapped[str] = mapped_column(String(50), nullable=False)  # immutable: stored values are keyed by it
    label: Mapped[str] = mapped_column(String(100), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)  # [{value, label}]
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    help_text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active_from: Mapped[date | None] = mapped_column(Date)  # 適用開始日
    active_to: Mapped[date | None] = mapped_column(Date)  # 適用終了日, the last day the field is in use
