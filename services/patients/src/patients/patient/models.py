"""Patient tables: the registration card (結核登録票) as the patients service owns it."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, Integer, String
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


class Patient(Versioned, Base):
    """A registered TB patient, recovered patient or LTBI case."""

    __tablename__ = "patients"

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


class RegistrationCounter(Base):
    """The last 登録番号 sequence number issued per registration year."""

    __tablename__ = "registration_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
