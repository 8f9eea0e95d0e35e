"""DOTS tables: settings, F01 assessments, support plans (F07), daily confirmations and the cohort review."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class DotsSetting(Versioned, Base):
    """One of the health center's DOTS settings (assessment items, intensities, levels); absent means the default."""

    __tablename__ = "dots_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONB, nullable=False)


class _PatientRecord(Versioned):
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False)


class DotsAssessment(_PatientRecord, Base):
    """A DOTSアセスメントシート (F01): each item answered with a note, and the level it gives."""

    __tablename__ = "dots_assessments"
    __table_args__ = (Index("ix_dots_assessments_patient_id", "patient_id", "assessed_on"),)

    assessed_on: Mapped[date] = mapped_column(Date, nullable=False)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)  # the item list as it was then
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)  # {key: {applies, note}}
    level: Mapped[str] = mapped_column(String(1), nullable=False)
    suggested_type: Mapped[str] = mapped_column(String(20), nullable=False)
    assessor: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class DotsPlan(_PatientRecord, Base):
    """An individual support plan (結核患者服薬支援個別計画, F07) for one treatment course."""

    __tablename__ = "dots_plans"
    __table_args__ = (
        Index("ix_dots_plans_patient_id", "patient_id", "starts_on"),
        Index("ix_dots_plans_nurse", "nurse", "starts_on"),
    )

    treatment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("treatments.id"))
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    dots_type: Mapped[str] = mapped_column(String(20), nullable=False)  # 院内 / 外来 / 訪問 / 連絡確認
    intensity: Mapped[str] = mapped_column(String(10), nullable=False)  # A / B / C
    interval_days: Mapped[int | None] = mapped_column(Integer)  # this plan's own contact interval, if any
    nurse: Mapped[str] = mapped_column(String(64), nullable=False, default="")  # who confirms (username)
    nurse_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    supporters: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    conference_on: Mapped[date | None] = mapped_column(Date)  # DOTSカンファレンス
    conference_participants: Mapped[str] = mapped_column(Text, nullable=False, default="")
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_how: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    goals: Mapped[str] = mapped_column(Text, nullable=False, default="")
    planned_confirmations: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reviews: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    ltbi_regimen: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class DotsConfirmation(_PatientRecord, Base):
    """One day's 服薬確認: how, by whom, taken or not, side effects and the doses left."""

    __tablename__ = "dots_confirmations"
    __table_args__ = (
        UniqueConstraint("patient_id", "confirmed_on", name="uq_dots_confirmations_patient_day"),
        Index("ix_dots_confirmations_confirmed_by", "confirmed_by", "confirmed_on"),
        # the cohort list counts each course's days from the index alone
        Index("ix_dots_confirmations_course", "patient_id", "confirmed_on", postgresql_include=["status"]),
        # the cohort summary reads only the days not taken
        Index(
            "ix_dots_confirmations_missed",
            "patient_id",
            "confirmed_on",
            postgresql_where=text("status = 'missed'"),
        ),
    )

    confirmed_on: Mapped[date] = mapped_column(Date, nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)  # taken / missed / unknown
    confirmed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    confirmed_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    side_effects: Mapped[str] = mapped_column(Text, nullable=False, default="")
    remaining_doses: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class CohortReview(_PatientRecord, Base):
    """The facts the outcome needs beyond the care records, the override with its reason, and the meeting's note."""

    __tablename__ = "dots_cohort_reviews"
    __table_args__ = (UniqueConstraint("treatment_id", name="uq_dots_cohort_reviews_treatment_id"),)

    treatment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("treatments.id"), nullable=False)
    end_reason: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    died_on: Mapped[date | None] = mapped_column(Date)
    death_cause: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    override_outcome: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    override_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    computed_outcome: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # when overridden
    computed_rule: Mapped[str] = mapped_column(Text, nullable=False, default="")
    meeting_note: Mapped[str] = mapped_column(Text, nullable=False, default="")  # コホート検討会
    ltbi_checked_on: Mapped[date | None] = mapped_column(Date)  # F02: when the checklist was gone through
    ltbi_checklist: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict
    )  # {key: {checked, note}}
