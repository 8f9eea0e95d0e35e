"""What the patient list sorts and filters by beyond the patient row: derived facts kept beside it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class PatientListFacts(Base):
    """A patient's 活動性, open alerts (注意事項) and next deadline (次回予定) as judged on `computed_on`.

    Kept apart from the patient so refreshing them never bumps the patient's version (a user's edit base).
    """

    __tablename__ = "patient_list_facts"
    __table_args__ = (
        Index("ix_patient_list_facts_next_due_on", "next_due_on", "patient_id"),
        Index("ix_patient_list_facts_activity", "activity"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    classification_code: Mapped[str] = mapped_column(String(2), nullable=False, default="")  # 総合患者分類コード
    activity: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # 活動性
    alert_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    urgent_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 要対応
    alerts: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)  # the first few
    next_due_on: Mapped[date | None] = mapped_column(Date)  # 次回予定: the earliest open deadline
    next_due_what: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    computed_on: Mapped[date] = mapped_column(Date, nullable=False)  # alerts follow the date: stale after it
