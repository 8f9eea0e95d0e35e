"""The reporting read model of test results (菌検査), built from the patients service's events."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class LabResult(Base):
    """One test result as of the newest snapshot applied (`version`)."""

    __tablename__ = "lab_result_summaries"
    __table_args__ = (Index("ix_lab_result_summaries_patient_id_collected_on", "patient_id", "collected_on"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # smear, culture, naat, identification, dst, …
    specimen: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # 検体
    collected_on: Mapped[date | None] = mapped_column(Date)  # 採取日
    result_on: Mapped[date | None] = mapped_column(Date)  # 判定日
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    mdr: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 多剤耐性
    summary: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # the result in one line
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
