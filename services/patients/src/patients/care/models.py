"""Care records on a patient's card: treatments, hospitalisations, transfers, progress notes and 公費負担."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column
from tbms_core.db import Base, Versioned, new_id, utcnow


class _CareRecord(Versioned):
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False, index=True
    )


class Treatment(_CareRecord, Base):
    """One course of treatment (治療): regimen, start, planned and actual end, cohort outcome."""

    __tablename__ = "treatments"

    regimen: Mapped[str] = mapped_column(String(40), nullable=False)  # standard code (2HREZ/4HR) or "other"
    regimen_note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    planned_end_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(30), nullable=False, default="")  # コホート判定
    institution: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # 治療医療機関
    institution_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # its masters 医療機関コード
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    custom: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)


class Hospitalisation(_CareRecord, Base):
    """A stay in hospital (入院), under a 勧告 (法19条・20条) or not."""

    __tablename__ = "hospitalisations"

    hospital: Mapped[str] = mapped_column(String(200), nullable=False)
    hospital_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # its masters 医療機関コード
    admitted_on: Mapped[date] = mapped_column(Date, nullable=False)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    recommended: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Transfer(_CareRecord, Base):
    """A move into (転入) or out of (転出) the health centre's area."""

    __tablename__ = "transfers"

    direction: Mapped[str] = mapped_column(String(10), nullable=False)
    moved_on: Mapped[date] = mapped_column(Date, nullable=False)
    counterpart: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    counterpart_code: Mapped[str] = mapped_column(String(6), nullable=False, default="")  # 全国地方公共団体コード
    address: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    card_sent_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


class TransferSending(Base):
    """One sending of a 転出 patient's documents (登録票, 記録の要約 …) to the new health centre (施行規則27条の8):
    what, to whom, when, how, and for an encrypted file which one and how its key travelled (N32). Never deleted."""

    __tablename__ = "transfer_sendings"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    transfer_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("transfers.id"), nullable=False, index=True
    )
    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), ForeignKey("patients.id"), nullable=False)
    documents: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)  # codes: 登録票, 記録の要約
    other_documents: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # その他, as named
    recipient: Mapped[str] = mapped_column(String(300), nullable=False)
    method: Mapped[str] = mapped_column(String(20), nullable=False)  # paper_mail / hand / electronic
    sent_on: Mapped[date] = mapped_column(Date, nullable=False)
    package_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))  # reports' encrypted package
    package_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    key_channel: Mapped[str] = mapped_column(String(20), nullable=False, default="")  # phone / fax / post / hand
    key_sent_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    sent_by: Mapped[str] = mapped_column(String(64), nullable=False)
    sent_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class ProgressNote(_CareRecord, Base):
    """A dated entry of the 経過記録 by a member of staff."""

    __tablename__ = "progress_notes"

    noted_on: Mapped[date] = mapped_column(Date, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    author: Mapped[str] = mapped_column(String(64), nullable=False)
    author_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # 2号記録: the kind of contact (訪問, 来所, 電話, 会議, 文書), who was met, and the next action.
    contact: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    met: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    next_action: Mapped[str] = mapped_column(Text, nullable=False, default="")


class PublicExpense(_CareRecord, Base):
    """A 公費負担 application and its decision: 法37条 (勧告入院) or 法37条の2 (一般医療)."""

    __tablename__ = "public_expenses"

    basis: Mapped[str] = mapped_column(String(10), nullable=False)  # "37" or "37-2"
    applied_on: Mapped[date | None] = mapped_column(Date)  # 申請日（受理日）
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="applied")
    valid_from: Mapped[date | None] = mapped_column(Date)  # 有効期間
    valid_to: Mapped[date | None] = mapped_column(Date)
    payer_number: Mapped[str] = mapped_column(String(8), nullable=False, default="")  # 公費負担者番号
    recipient_number: Mapped[str] = mapped_column(String(7), nullable=False, default="")  # 受給者番号
    institution: Mapped[str] = mapped_column(String(200), nullable=False, default="")  # 指定医療機関
    institution_code: Mapped[str] = mapped_column(String(10), nullable=False, default="")  # its masters 医療機関コード
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
