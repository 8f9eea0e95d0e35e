"""The reporting read model of patients, built from the patients service's events."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class PatientSummary(Base):
    """What forms print about a patient, as of the newest snapshot applied (`version`)."""

    __tablename__ = "patient_summaries"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    registration_no: Mapped[str] = mapped_column(String(20), nullable=False)  # 登録番号
    registered_on: Mapped[date] = mapped_column(Date, nullable=False)  # 登録年月日
    category: Mapped[str] = mapped_column(String(20), nullable=False)  # 登録区分
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_kana: Mapped[str] = mapped_column(String(200), nullable=False)
    sex: Mapped[str] = mapped_column(String(10), nullable=False)
    birth_date: Mapped[date] = mapped_column(Date, nullable=False)
    postal_code: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")
    district: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    nurse: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    excluded_on: Mapped[date | None] = mapped_column(Date)  # 登録除外日
    # the card's other sections as the snapshot carries them (CARD_FIELDS): occupation, guardian, notification,
    # disease, clinical, gakkai …; JSON values, dates as ISO strings
    card: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    source_updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
