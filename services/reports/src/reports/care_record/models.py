"""The reporting read model of care records: treatments, hospital stays, transfers and progress notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow

# the kinds the 管理検診 and 行動調査 are kept as (reports.followup); every other kind comes from CareRecordSaved
FOLLOWUP_EXAM, INVESTIGATION = "followup_exam", "investigation"


class CareRecord(Base):
    """One care record as of the newest snapshot applied (`version`); its items as the patients service sent them."""

    __tablename__ = "care_record_summaries"
    __table_args__ = (Index("ix_care_record_summaries_patient_id_kind", "patient_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)  # aggregate_version of the snapshot
    kind: Mapped[str] = mapped_column(String(20), nullable=False)  # treatment, hospitalisation, transfer, progress_note
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # dates as ISO strings
    labels: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict)  # {item: Japanese label}
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
