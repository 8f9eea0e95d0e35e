"""What the 診査会 API accepts and returns: sessions, cases and decisions, numbers, 患者票 and 勧告."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from tbms_core.jp.fields import FlexibleDate, Text, known_choice, not_future

from patients.board.codes import ARTICLES, CASE_KINDS, DECISIONS, DELIVERIES, END_REASONS, SESSION_STATUSES
from patients.care.numbers import LAW_NUMBERS, PAYER_DIGITS, has_valid_check_digit
from patients.care.schemas import institution_code


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


def payer_number(value: str | None, basis: str) -> str:
    """A 公費負担者番号 picked from masters for the basis: 8 digits, its 法別番号 and a right 検証番号."""
    value = value or ""
    if not (value.isascii() and value.isdigit() and len(value) == PAYER_DIGITS):
        raise ValueError("公費負担者番号（8桁）をマスタから選んでください。")
    if not value.startswith(LAW_NUMBERS[basis]):
        raise ValueError(f"この案件の公費負担者番号は法別番号「{LAW_NUMBERS[basis]}」で始まります。")
    if not has_valid_check_digit(value):
        raise ValueError("公費負担者番号の検証番号（最後の1桁）が合いません。")
    return value


class Member(_Input):
    """A member of the 協議会 at a session, picked from masters."""

    code: Text = ""
    name: Text = Field(min_length=1, max_length=100)
    role: Text = ""
    present: bool = True


class SessionUpdate(_Input):
    """The items of a session that may change."""

    held_at: datetime | None = None
    place: Text | None = Field(default=None, max_length=200)
    members: list[Member] | None = None
    quorum: int | None = Field(default=None, ge=0, le=50)
    agenda: Text | None = Field(default=None, max_length=4000)
    minutes: Text | None = Field(default=None, max_length=20000)
    status: str | None = None

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        return known_choice(SESSION_STATUSES, "開催の状況", value)


class SessionCreate(SessionUpdate):
    """A new session: at least when it meets."""

    held_at: datetime
    members: list[Member] = Field(default_factory=list)


class Change(BaseModel):
    """A correction based on the version the user saw; `changes` is checked against the record's Update schema."""

    version: int = Field(ge=1)
    changes: dict[str, Any]
    reason: Text = Field(default="", max_length=500)


class CaseUpdate(_Input):
    """The items of a case the members read, and its place on an agenda."""

    session_id: uuid.UUID | None = None
    position: int | None = Field(default=None, ge=0)
    received_on: FlexibleDate | None = None
    admitted_on: FlexibleDate | None = None
    summary: Text | None = Field(default=None, max_length=4000)
    bacteriology: Text | None = Field(default=None, max_length=4000)
    xray: Text | None = Field(default=None, max_length=4000)
    gakkai: Text | None = Field(default=None, max_length=20)
    treatment_plan: Text | None = Field(default=None, max_length=4000)
    certificate_on: FlexibleDate | None = None
    certificate_doctor: Text | None = Field(default=None, max_length=100)
    institution: Text | None = Field(default=None, max_length=200)
    institution_code: Text | None = None
    pharmacy: Text | None = Field(default=None, max_length=200)
    income_tax_yen: int | None = Field(default=None, ge=0, le=2_000_000_000)
    restricted_work: Text | None = Field(default=None, max_length=1000)
    note: Text | None = Field(default=None, max_length=4000)

    @field_validator("received_on", "certificate_on", "admitted_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)

    @field_validator("institution_code")
    @classmethod
    def _institution_code(cls, value: str | None) -> str:
        return institution_code(value)


class CaseCreate(CaseUpdate):
    """A new case: the patient, its kind and the day it was received."""

    patient_id: uuid.UUID
    kind: str
    received_on: FlexibleDate

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return known_choice(CASE_KINDS, "案件の種類", value) or value


class DecisionCreate(_Input):
    """The 協議会's decision on a case, entered during the meeting."""

    version: int = Field(ge=1)
    decision: str
    decided_on: FlexibleDate
    valid_from: FlexibleDate | None = None  # a shorter period than the rule gives; never earlier or longer
    valid_to: FlexibleDate | None = None
    conditions: Text = Field(default="", max_length=2000, validate_default=True)
    comments: Text = Field(default="", max_length=4000)
    payer_number: Text = ""

    @field_validator("decision", mode="before")
    @classmethod
    def _decision(cls, value: object) -> object:
        if not value:
            raise ValueError("判定（承認・不承認・保留・条件付き）を選んでください。")
        return known_choice(DECISIONS, "判定", str(value))

    @field_validator("decided_on")
    @classmethod
    def _decided_past(cls, value: date) -> date:
        return not_future(value) or value

    @field_validator("conditions")
    @classmethod
    def _conditions(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("decision") == "conditional" and not value.strip():
            raise ValueError("条件付き承認のときは条件を入力してください。")
        return value


class Withdrawal(_Input):
    """A decision withdrawn (取消・取下げ): its number is voided, never handed out again."""

    version: int = Field(ge=1)
    reason: Text = Field(min_length=1, max_length=500)


class Notified(_Input):
    """The decision notice (F13/F09) was sent."""

    version: int = Field(ge=1)
    notified_on: FlexibleDate

    @field_validator("notified_on")
    @classmethod
    def _past(cls, value: date) -> date:
        return not_future(value) or value


class CardIssue(_Input):
    """A 患者票 (F15) issued on a granted case."""

    issued_on: FlexibleDate
    care_kind: Text = Field(default="化学療法及びこれに必要な検査", max_length=200)
    pharmacy: Text | None = Field(default=None, max_length=200)


class CardEvent(_Input):
    """A reissue (lost) or the return of a 患者票."""

    version: int = Field(ge=1)
    on: FlexibleDate
    reason: Text = Field(default="", max_length=200)


class Receipt(_Input):
    """The receipt (受理) that closes a case recorded without the board: a 記載事項変更届 or a 19条 report."""

    version: int = Field(ge=1)
    on: FlexibleDate
    note: Text = Field(default="", max_length=500)


class MeasureUpdate(_Input):
    """What is recorded after a 勧告 was issued: delivery, 意見陳述, its end."""

    delivery: str | None = None
    delivered_on: FlexibleDate | None = None
    statement: Text | None = Field(default=None, max_length=4000)
    ended_on: FlexibleDate | None = None
    end_reason: str | None = None
    end_note: Text | None = Field(default=None, max_length=1000)
    hospital: Text | None = Field(default=None, max_length=200)
    restricted_work: Text | None = Field(default=None, max_length=1000)

    @field_validator("delivery")
    @classmethod
    def _delivery(cls, value: str | None) -> str | None:
        return known_choice(DELIVERIES, "交付方法", value) if value else value

    @field_validator("end_reason")
    @classmethod
    def _end_reason(cls, value: str | None) -> str | None:
        return known_choice(END_REASONS, "終了の理由", value) if value else value


class MeasureCreate(MeasureUpdate):
    """A 勧告 issued to a patient; an extension names the case with the 協議会's opinion."""

    article: str
    issued_on: FlexibleDate
    starts_on: FlexibleDate | None = None
    starts_at: datetime | None = None  # 19条: the moment the 72 hours count from
    case_id: uuid.UUID | None = None

    @field_validator("article")
    @classmethod
    def _article(cls, value: str) -> str:
        return known_choice(ARTICLES, "勧告の種類", value) or value


class DueRead(BaseModel):
    """A due date with its reason and the days left."""

    on: date
    why: str
    days_left: int


class PeriodRead(BaseModel):
    """A period with the reason it runs so."""

    start: date
    end: date | None
    why: str


class SessionRead(BaseModel):
    """A session as the API shows it, with its quorum judged."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    held_at: datetime
    place: str
    members: list[dict[str, Any]]
    quorum: int
    present: int
    quorate: bool
    agenda: str
    minutes: str
    status: str
    status_label: str
    case_count: int = 0
    updated_at: datetime | None = None
    updated_by: str = ""


class CaseRead(BaseModel):
    """A case as the members and the clerk read it: its items, the rules' dates and the decision."""

    id: uuid.UUID
    version: int
    patient_id: uuid.UUID
    patient: dict[str, Any] = {}
    data: dict[str, Any]
    kind_label: str
    basis: str
    needs_board: bool
    decision_label: str
    decision_due: DueRead | None = None
    cover: PeriodRead | None = None
    copay: dict[str, Any] | None = None
    updated_at: datetime | None = None
    updated_by: str = ""


class SessionDetail(SessionRead):
    """A session with its cases in agenda order."""

    cases: list[CaseRead] = []
    basis: dict[str, str] = {}


class Page(BaseModel):
    """A list of items."""

    items: list[Any]
