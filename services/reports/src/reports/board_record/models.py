"""The reporting read model of the 診査会: sessions, cases and decisions, 患者票 and 勧告, as patients sent them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class BoardRecord(Base):
    """One 診査会 record as of the newest snapshot applied (`version`); its items as the patients service sent them."""

    __tablename__ = "board_record_summaries"
    __table_args__ = (Index("ix_board_record_summaries_kind_patient_id", "kind", "patient_id"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    patient_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # None for a session
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # session, case, card, measure
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # dates as ISO strings
    labels: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
