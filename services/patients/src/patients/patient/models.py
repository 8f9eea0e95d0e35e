"""Patient tables: the registration card (結核登録票) as the patients service owns it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class Patient(Versioned, Base):
    """A registered TB patient, recovered patient or LTBI case."""

    __tablename__ = "patients"
    __table_args__ = (
        Index("ix_patients_kana_birth", "name_kana", "birth_date"),
        Index("ix_patients_name_key_birth", "name_key", "birth_date"),
        Index("ix_patients_name_key", "name_key"),
        # what the 患者一覧 sorts and filters by (0013)
        Index("ix_patients_registered_on", "registered_on", "registration_no"),
        Index("ix_patients_birth_date", "birth_date"),
        Index("ix_patients_district_kana", "district", "name_kana"),
        Index("ix_patients_nurse_kana", "nurse", "name_kana"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    registration_no: Mapped[str] = mapped_column(String(20), unique=True, nullable=False)  # 登録番号
    registered_on: Mapped[date] = mapped_column(Date, nullable=False)  # 登録年月日
    category: Mapped[str] = mapped_column(String(20), nullable=False)  # 登録区分
    name: Mapped[str] = mapped_column(String(100), nullable=False)  # stored exactly as given, never NFKC
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
    custom: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # configurable fields (R33)
    exclusion_reason: Mapped[str] = mapped_column(String(30), nullable=False, default="")  # 除外理由
    exclusion_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    alias: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # 通称・旧姓
    occupation: Mapped[str] = mapped_column(String(30), nullable=False, default="")  # 職業区分
    occupation_note: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    birth_country: Mapped[str] = mapped_column(String(60), nullable=False, default="")  # 出生国
    nationality: Mapped[str] = mapped_column(String(60), nullable=False, default="")  # 国籍
    name_key: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # folded name (duplicate check)
    guardian: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # 保護者
    notification: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # 発生届
    disease: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # 病名・病状・学会分類
    clinical: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)  # 治療歴・合併症
    # Record #1 (登録時): the facts as at registration, corrected in place, never replaced by later facts.
    at_registration: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)


class RegistrationCounter(Base):
    """The last 登録番号 sequence number issued per registration year."""

    __tablename__ = "registration_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
