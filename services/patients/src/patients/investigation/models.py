"""行動調査 table: one investigation per patient, its interview items and the overridden infectious period."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class Investigation(Versioned, Base):
    """The 行動調査票: the interview's items (JSON by the configured item list) and the staff's override."""

    __tablename__ = "investigations"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False, unique=True
    )
    interviewed_on: Mapped[date | None] = mapped_column(Date)
    interviewer: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    items: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    override_start: Mapped[date | None] = mapped_column(Date)
    override_end: Mapped[date | None] = mapped_column(Date)
    override_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
