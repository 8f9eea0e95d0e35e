"""The index patients (発端患者) contacts are investigated around, as contacts knows them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base


class IndexCase(Base):
    """A summary of a registered patient, kept from the patients service's events."""

    __tablename__ = "index_cases"
    __table_args__ = (Index("ix_index_cases_birth_date", "birth_date"),)  # the duplicate check among patients

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    registration_no: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    name_kana: Mapped[str] = mapped_column(String(200), nullable=False)
    birth_date: Mapped[date | None] = mapped_column(Date)  # unknown for an external index
    district: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    nurse: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # 地区担当: the contacts' to-dos go to
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="active")  # external: another area's
    # the sending health centre when the index is another municipality's case (他自治体からの依頼)
    external_from: Mapped[str] = mapped_column(String(200), nullable=False, default="")
