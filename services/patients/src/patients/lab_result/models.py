"""Test results (菌検査): one row per result, the kind's own items in a validated JSONB `details`."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class LabResult(Versioned, Base):
    """A smear, culture, NAAT, identification, DST, IGRA or TST result of one specimen."""

    __tablename__ = "lab_results"
    __table_args__ = (Index("ix_lab_results_patient_id", "patient_id", "collected_on"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    specimen: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # 検体
    collected_on: Mapped[date | None] = mapped_column(Date)  # 採取日
    result_on: Mapped[date | None] = mapped_column(Date)  # 結果日
    laboratory: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # 検査機関
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    mdr: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # 多剤耐性
    custom: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # configurable fields (R33)
