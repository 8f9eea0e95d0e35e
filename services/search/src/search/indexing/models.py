"""The ledger of what the index holds (the newest version applied per record) and what search keeps to build it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, utcnow


class IndexedVersion(Base):
    """The newest aggregate version of one record that was sent to the index."""

    __tablename__ = "indexed_versions"

    record_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class LinkedPatient(Base):
    """A patient as other records' hits show it, the document last built from its snapshot, its DOTS due date."""

    __tablename__ = "linked_patients"

    patient_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # 0: known only from a link so far
    registration_no: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    district: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    document: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    dots_due_on: Mapped[date | None] = mapped_column(Date)  # the next 服薬確認 due, from the patient's deadlines
    dots_revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class DotsPlan(Base):
    """A patient's DOTS support plan as its events carry it: when it is in force, the type and the intensity."""

    __tablename__ = "linked_dots_plans"  # patients owns dots_plans

    plan_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)
    dots_type: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    dots_type_label: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    intensity: Mapped[str] = mapped_column(String(10), nullable=False, default="")


class LinkedContact(Base):
    """A contact's own document and its index patients, so a change of an index patient rebuilds its hit."""

    __tablename__ = "linked_contacts"

    contact_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    index_patient_ids: Mapped[list[str]] = mapped_column(ARRAY(String(64)), nullable=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
