"""Screening examinations (接触者健診の検査) of a contact, planned and done."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, Time
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class Exam(Versioned, Base):
    """One IGRA, TST, chest X-ray or sputum examination of a contact."""

    __tablename__ = "screening_exams"
    __table_args__ = (
        Index("ix_screening_exams_contact_id", "contact_id"),
        Index("ux_screening_exams_receipt", "received_on", "reception_place", "receipt_no", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # igra_qft, igra_tspot, tst, xray, sputum
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="planned")  # planned/done/cancelled
    planned_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    institution: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # 実施場所 as typed
    institution_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # masters 医療機関コード
    result: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # by kind, see exam.schemas
    value: Mapped[str] = mapped_column(String(50), nullable=False, default="")  # IGRA measured value as reported
    erythema_mm: Mapped[int | None] = mapped_column(Integer)  # ツ反 発赤径
    induration_mm: Mapped[int | None] = mapped_column(Integer)  # ツ反 硬結径
    finding: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # X-ray finding, 学会分類
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    cancel_reason: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    # 予約: the day, time and place the contact is to come (the health center or an institution)
    appointment_on: Mapped[date | None] = mapped_column(Date)
    appointment_time: Mapped[time | None] = mapped_column(Time)
    appointment_place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    appointment_place_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # masters code
    # 受付: when the contact came, where, the receipt number within that day and place, and who received them
    received_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_on: Mapped[date | None] = mapped_column(Date)  # the Japanese day of received_at
    reception_place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    receipt_no: Mapped[int | None] = mapped_column(Integer)
    received_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # 照射録 (chest X-ray only): the irradiation conditions, as exam.schemas.Irradiation holds them
    irradiation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
