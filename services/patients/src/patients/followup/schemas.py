"""What the 管理検診 API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from tbms_core.jp.fields import FlexibleDate, Text, known_choice, not_future

from patients.followup.config import RISK_FACTORS
from patients.followup.rules import JUDGEMENTS, STATUSES

PLACES = {"health_center": "保健所", "institution": "医療機関"}
METHODS = {"exam": "管理検診", "doctor_report": "病状把握（主治医の報告）"}
OUTREACH = {"home_visit": "家庭訪問", "phone": "電話"}
CODES = {"place": PLACES, "method": METHODS, "judgement": JUDGEMENTS, "outreach": OUTREACH}
VIEWS = {
    "notices": "今月送るお知らせ",
    "due": "今月の検診予定",
    "overdue": "期限を過ぎた検診",
    "missing": "結果が未入力",
}


class PlanSave(BaseModel):
    """The plan: the end of treatment (from the treatment record when not given), LTBI, and the relapse risks."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)  # the plan's version when it exists
    ended_on: FlexibleDate | None = None
    ltbi: bool | None = None
    risk_factors: list[str] = []
    note: Text = Field(default="", max_length=1000)
    reason: Text = Field(default="", max_length=500)

    @field_validator("ended_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)

    @field_validator("risk_factors")
    @classmethod
    def _risks(cls, value: list[str]) -> list[str]:
        for item in value:
            known_choice(RISK_FACTORS, "再発リスク", item)
        return sorted(set(value))


class ExamUpdate(BaseModel):
    """The items of one examination staff enter: notices, appointment, place, results, judgement, outreach."""

    model_config = ConfigDict(extra="forbid")

    notice_sent_on: FlexibleDate | None = None
    second_notice_on: FlexibleDate | None = None
    appointment_on: FlexibleDate | None = None
    appointment_time: Text | None = Field(default=None, max_length=20)
    place: str | None = None
    institution: Text | None = Field(default=None, max_length=200)
    method: str | None = None
    examined_on: FlexibleDate | None = None
    xray_finding: Text | None = Field(default=None, max_length=2000)
    sputum_smear: Text | None = Field(default=None, max_length=40)
    sputum_culture: Text | None = Field(default=None, max_length=40)
    judgement: str | None = None
    outreach: str | None = None
    outreach_on: FlexibleDate | None = None
    outreach_note: Text | None = Field(default=None, max_length=2000)
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("place")
    @classmethod
    def _place(cls, value: str | None) -> str | None:
        return known_choice(PLACES, "実施場所", value)

    @field_validator("method")
    @classmethod
    def _method(cls, value: str | None) -> str | None:
        return known_choice(METHODS, "把握の方法", value)

    @field_validator("judgement")
    @classmethod
    def _judgement(cls, value: str | None) -> str | None:
        return known_choice(JUDGEMENTS, "判定", value)

    @field_validator("outreach")
    @classmethod
    def _outreach(cls, value: str | None) -> str | None:
        return known_choice(OUTREACH, "未受診時の対応", value)

    @field_validator("examined_on", "notice_sent_on", "second_notice_on", "outreach_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)


def inconsistencies(exam: ExamUpdate) -> dict[str, str]:
    """What makes an examination as a whole inconsistent, by the field to correct (empty when none)."""
    errors: dict[str, str] = {}
    if exam.judgement and not exam.examined_on:
        errors["examined_on"] = "判定を入力するときは実施日（病状把握は報告日）も入力してください。"
    if exam.place == "institution" and not exam.institution:
        errors["institution"] = "医療機関で実施するときは医療機関名を入力してください。"
    if exam.second_notice_on and exam.notice_sent_on and exam.second_notice_on < exam.notice_sent_on:
        errors["second_notice_on"] = "再通知日がお知らせ送付日より前になっています。"
    if exam.outreach and not exam.outreach_on:
        errors["outreach_on"] = "未受診時の対応（訪問・電話）の日を入力してください。"
    return errors


class ExamChange(BaseModel):
    """A change of one examination: the version the user saw, the items, and why."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    changes: ExamUpdate
    reason: Text = Field(default="", max_length=500)


class ExclusionConfirm(BaseModel):
    """The nurse confirms the proposed 登録除外 (経過観察終了) with the patient's version."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    note: Text = Field(default="", max_length=300)


class ExamRead(BaseModel):
    """One examination as the API shows it, with its status and the labels of its coded items."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    version: int
    seq: int
    due_on: date
    months: int
    reason: str
    cancelled: bool
    notice_sent_on: date | None
    second_notice_on: date | None
    appointment_on: date | None
    appointment_time: str
    place: str
    institution: str
    method: str
    examined_on: date | None
    xray_finding: str
    sputum_smear: str
    sputum_culture: str
    judgement: str
    outreach: str
    outreach_on: date | None
    outreach_note: str
    note: str
    updated_at: datetime
    updated_by: str
    status: str = ""
    status_label: str = ""
    labels: dict[str, str] = {}


class PlanRead(BaseModel):
    """The plan as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    ended_on: date
    ltbi: bool
    risk_factors: list[str]
    profile: str
    note: str


class ProfileRead(BaseModel):
    """The schedule in force with its basis."""

    key: str
    label: str
    months: list[int]
    period_months: int
    basis: str


class ProposalRead(BaseModel):
    """What the system proposes at the end of follow-up."""

    propose_exclusion: bool
    reason: str
    message: str


class FollowupRead(BaseModel):
    """A patient's 管理検診: the plan, its schedule and basis, the exams, the next due one and the proposal."""

    plan: PlanRead | None
    profile: ProfileRead | None
    period_end: date | None
    exams: list[ExamRead]
    next_due: ExamRead | None
    proposal: ProposalRead | None
    treatment_ended_on: date | None  # the latest end in the treatment records (the default end date)
    risk_factors: dict[str, str] = RISK_FACTORS
    codes: dict[str, dict[str, str]] = CODES


class FollowupListRow(BaseModel):
    """One line of the clerk's follow-up list."""

    patient_id: uuid.UUID
    registration_no: str
    name: str
    district: str
    nurse: str
    exam: ExamRead


class FollowupListPage(BaseModel):
    """A page of the clerk's list, the total, and the month it is about."""

    view: str
    view_label: str
    month: str
    total: int
    items: list[FollowupListRow]


def labels_of(values: dict[str, Any]) -> dict[str, str]:
    """Japanese labels of the coded items of an examination."""
    return {name: codes.get(str(values.get(name)), "") for name, codes in CODES.items() if values.get(name)}


def status_label(status: str) -> str:
    """The status as staff read it."""
    return STATUSES.get(status, status)
