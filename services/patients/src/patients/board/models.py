"""The 感染症診査協議会: sessions, the cases on their agenda, 受給者番号, 患者票 and the 勧告 measures."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)


def _patient() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False, index=True)


def _text() -> Mapped[str]:
    return mapped_column(Text, nullable=False, default="")


class BoardSession(Versioned, Base):
    """One meeting of the 協議会 (結核部会): when, where, who attended, the agenda and the minutes."""

    __tablename__ = "board_sessions"

    id: Mapped[uuid.UUID] = _id()
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    place: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    members: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, default=list
    )  # code, name, role, present
    quorum: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    agenda: Mapped[str] = _text()
    minutes: Mapped[str] = _text()
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")


class BoardCase(Versioned, Base):
    """A case put to the 協議会 (or, for a 記載事項変更 or a 19条 report, only recorded), with its decision."""

    __tablename__ = "board_cases"

    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient()
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("board_sessions.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)  # order on the agenda
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    received_on: Mapped[date] = mapped_column(Date, nullable=False)  # 受理日 (or the date of the 諮問)
    admitted_on: Mapped[date | None] = mapped_column(Date)  # 勧告入院の日 (法37条 cover, 20条)
    summary: Mapped[str] = _text()
    bacteriology: Mapped[str] = _text()
    xray: Mapped[str] = _text()
    gakkai: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # 学会分類
    treatment_plan: Mapped[str] = _text()
    certificate_on: Mapped[date | None] = mapped_column(Date)  # 診断書の日付
    certificate_doctor: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    institution: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # 指定医療機関
    institution_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    pharmacy: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # 指定薬局
    income_tax_yen: Mapped[int | None] = mapped_column(Integer)  # 世帯の市町村民税所得割 (法37条)
    restricted_work: Mapped[str] = _text()  # 18条
    decision: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    conditions: Mapped[str] = _text()
    comments: Mapped[str] = _text()  # 委員の意見
    payer_number: Mapped[str] = mapped_column(String(8), nullable=False, default="")  # 公費負担者番号
    recipient_number: Mapped[str] = mapped_column(String(7), nullable=False, default="")  # 受給者番号
    notified_on: Mapped[date | None] = mapped_column(Date)  # 決定通知の発送日
    withdrawn_reason: Mapped[str] = _text()
    note: Mapped[str] = _text()


class NumberCounter(Base):
    """The last 受給者番号 serial handed out; its row lock serialises approvals so numbers have no gaps."""

    __tablename__ = "recipient_number_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class RecipientNumber(Base):
    """One issued 受給者番号, kept for the audit list even when its decision was withdrawn (voided, never reused)."""

    __tablename__ = "recipient_numbers"

    serial: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    number: Mapped[str] = mapped_column(String(7), nullable=False, unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("board_cases.id"), nullable=False)
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False)
    basis: Mapped[str] = mapped_column(String(10), nullable=False)
    payer_number: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    issued_by: Mapped[str] = mapped_column(String(64), nullable=False)
    voided_on: Mapped[date | None] = mapped_column(Date)
    void_reason: Mapped[str] = _text()


class PatientCard(Versioned, Base):
    """A 患者票 (F15) issued on an approved 公費 case: its numbers, validity, institutions, reissues and return."""

    __tablename__ = "patient_cards"

    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient()
    case_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("board_cases.id"), nullable=False)
    payer_number: Mapped[str] = mapped_column(String(8), nullable=False)
    recipient_number: Mapped[str] = mapped_column(String(7), nullable=False)
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date] = mapped_column(Date, nullable=False)
    institution: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    pharmacy: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    care_kind: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # 医療の種類
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    reissues: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)  # on, reason
    # 記載事項変更届 applied to the card: on, case_id, and each changed item with its value before and after
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    returned_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="issued")


class Measure(Versioned, Base):
    """A 勧告 or notice to a patient: 18条 就業制限, 19条 or 20条 入院勧告 and its extensions; delivery and end."""

    __tablename__ = "board_measures"

    id: Mapped[uuid.UUID] = _id()
    patient_id: Mapped[uuid.UUID] = _patient()
    case_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), ForeignKey("board_cases.id"))
    article: Mapped[str] = mapped_column(String(20), nullable=False)  # 18, 19, 20, 20_extension
    issued_on: Mapped[date] = mapped_column(Date, nullable=False)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # 19条: counted in hours
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: 18条 "until no longer infectious"
    hospital: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    restricted_work: Mapped[str] = _text()
    delivery: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # hand, mail
    delivered_on: Mapped[date | None] = mapped_column(Date)
    statement: Mapped[str] = _text()  # 意見陳述
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    end_note: Mapped[str] = _text()


class PayerNumber(Base):
    """A 公費負担者番号 as masters last described it (MasterChanged, kind payer_number): the number an approval
    takes for its 法別番号, ended ones kept so old decisions keep theirs."""

    __tablename__ = "payer_numbers"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    law: Mapped[str] = mapped_column(String(2), nullable=False)  # 法別番号: 10 (37条の2) or 11 (37条)
    agency: Mapped[str] = _text()  # 実施機関
    valid_from: Mapped[date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
