"""管理検診 tables: a patient's follow-up plan (end of treatment, risk) and its scheduled examinations."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class FollowupPlan(Versioned, Base):
    """One per patient: the end of treatment the schedule counts from, and what makes the risk higher."""

    __tablename__ = "followup_plans"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False, unique=True
    )
    ended_on: Mapped[date] = mapped_column(Date, nullable=False)  # 治療終了日 (or the day judged 回復者)
    ltbi: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    risk_factors: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    profile: Mapped[str] = mapped_column(String(30), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class FollowupExam(Versioned, Base):
    """One 管理検診 (or 病状把握 from the attending doctor): notice, appointment, results, judgement, outreach."""

    __tablename__ = "followup_exams"
    __table_args__ = (
        Index("ix_followup_exams_due_on", "due_on"),
        Index("ix_followup_exams_patient", "patient_id"),
        # the clerk's lists read the open exams (not done, not cancelled) by due date
        Index(
            "ix_followup_exams_open_due_on",
            "due_on",
            postgresql_where=text("examined_on IS NULL AND judgement = '' AND NOT cancelled"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)
    months: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False)  # why the due date is what it is
    cancelled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    notice_sent_on: Mapped[date | None] = mapped_column(Date)
    second_notice_on: Mapped[date | None] = mapped_column(Date)
    appointment_on: Mapped[date | None] = mapped_column(Date)
    appointment_time: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    place: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # health_center / institution
    institution: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    method: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # exam / doctor_report
    examined_on: Mapped[date | None] = mapped_column(Date)
    xray_finding: Mapped[str] = mapped_column(Text, nullable=False, default="")
    sputum_smear: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    sputum_culture: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    judgement: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    outreach: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # home_visit / phone
    outreach_on: Mapped[date | None] = mapped_column(Date)
    outreach_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)


class FollowupSetting(Versioned, Base):
    """One of the health center's 管理検診 / 行動調査 settings (schedule intervals, added items); absent means the
    initial default (the environment's value, else the shipped default)."""

    __tablename__ = "followup_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB, nullable=False)
