"""What the DOTS APIs accept and return."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from tbms_core.jp.fields import FlexibleDate, Text, known_choice, not_future

from patients.dots.cohort import END_REASONS, OUTCOMES
from patients.dots.config import DOTS_TYPES, GROUPS, METHODS, STATUSES, SUPPORTER_KINDS
from patients.dots.ltbi import LTBI_REGIMENS


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    version: int
    updated_at: datetime | None
    updated_by: str


class Change(BaseModel):
    """A correction based on the version the user saw; `changes` is checked against the record's Update schema."""

    version: int = Field(ge=1)
    changes: dict[str, Any]
    reason: Text = Field(default="", max_length=500)


# ---- settings (R33) ----


class AssessmentItem(_Input):
    """One item of the F01 sheet."""

    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    group: str
    label: Text = Field(min_length=1, max_length=200)
    high: bool = False

    @field_validator("group")
    @classmethod
    def _group(cls, value: str) -> str:
        return known_choice(GROUPS, "グループ（疾患の特殊性・患者の状態・社会的背景）", value) or value


class Intensity(_Input):
    """A support intensity with its label and the longest gap between contacts."""

    label: Text = Field(min_length=1, max_length=100)
    interval_days: int = Field(ge=1, le=92)


class ChecklistItem(_Input):
    """One item of the F02 checklist, with the basis shown beside it."""

    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    label: Text = Field(min_length=1, max_length=200)
    basis: Text = Field(default="", max_length=300)


class ChecklistAnswer(_Input):
    """An F02 item as checked at the end of the course, with a note."""

    checked: bool = False
    note: Text = Field(default="", max_length=500)


class Levels(_Input):
    """How an assessment's answers give a level and the level a DOTS type."""

    b_from_count: int = Field(ge=1, le=50)
    suggested_types: dict[str, str]

    @field_validator("suggested_types")
    @classmethod
    def _types(cls, value: dict[str, str]) -> dict[str, str]:
        """Each a code's shape; the service checks it against the コード表's DOTSの種類 in force today."""
        for dots_type in value.values():
            if not re.fullmatch(r"[A-Za-z0-9_]{1,40}", dots_type):
                raise ValueError("DOTSの種類を選択肢から選んでください。")
        return value


class CohortRuleNumbers(_Input):
    """The numbers of the cohort rules (結核医療の基準; see patients/dots/cohort.py for each basis)."""

    window_first: int = Field(ge=1, le=24)
    window_last: int = Field(ge=1, le=24)
    interruption_days: int = Field(ge=1, le=366)
    first_months: int = Field(ge=1, le=24)
    consecutive_days: int = Field(ge=1, le=366)
    long_treatment_months: int = Field(ge=1, le=36)

    @model_validator(mode="after")
    def _window(self) -> CohortRuleNumbers:
        if self.window_last < self.window_first:
            raise ValueError("判定期間の終わりの月が始まりの月より前になっています。")
        return self


SETTING_SCHEMAS: dict[str, Any] = {
    "assessment_items": list[AssessmentItem],
    "intensities": dict[str, Intensity],
    "levels": Levels,
    "cohort_rules": CohortRuleNumbers,
    "ltbi_checklist": list[ChecklistItem],
}


class SettingChange(_Input):
    """A new value of one setting, based on the version the user saw (0 while the default is in use)."""

    version: int = Field(ge=0)
    value: Any
    reason: Text = Field(default="", max_length=500)


class SettingRead(BaseModel):
    """One setting: its value, whether it is the shipped default, and its version."""

    key: str
    value: Any
    default: bool
    version: int


class SettingsRead(BaseModel):
    """Every DOTS setting with the code lists the screens need."""

    items: list[SettingRead]
    groups: dict[str, str] = GROUPS
    dots_types: dict[str, str] = DOTS_TYPES
    methods: dict[str, str] = METHODS
    statuses: dict[str, str] = STATUSES
    supporter_kinds: dict[str, str] = SUPPORTER_KINDS
    outcomes: dict[str, str] = OUTCOMES
    end_reasons: dict[str, str] = END_REASONS
    ltbi_regimens: dict[str, str] = {code: r.label for code, r in LTBI_REGIMENS.items()}


# ---- assessment (F01) ----


class Answer(_Input):
    """An item answered: applies or not, with a note."""

    applies: bool = False
    note: Text = Field(default="", max_length=500)


class AssessmentUpdate(_Input):
    """The items of an assessment a correction may change."""

    assessed_on: FlexibleDate | None = None
    answers: dict[str, Answer] | None = None
    assessor: Text | None = Field(default=None, max_length=100)
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("assessed_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)


class AssessmentCreate(AssessmentUpdate):
    """A new assessment: its date and the answers."""

    assessed_on: FlexibleDate
    answers: dict[str, Answer]


class AssessmentRead(_Read):
    """An assessment with its items as they were, the level and the suggested DOTS type."""

    assessed_on: date
    items: list[dict[str, Any]]
    answers: dict[str, Any]
    level: str
    suggested_type: str
    assessor: str
    note: str
    why: str = ""


# ---- plan (F07) ----


class Supporter(_Input):
    """Who supports and where."""

    kind: str
    name: Text = Field(default="", max_length=100)
    place: Text = Field(default="", max_length=200)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return known_choice(SUPPORTER_KINDS, "支援者の種別", value) or value


class Review(_Input):
    """A review of the plan: when and what was found."""

    reviewed_on: FlexibleDate
    note: Text = Field(min_length=1, max_length=2000)


class PlanUpdate(_Input):
    """The items of a support plan; all optional so a change of plan names only what changes."""

    treatment_id: uuid.UUID | None = None
    starts_on: FlexibleDate | None = None
    ends_on: FlexibleDate | None = None
    dots_type: str | None = Field(default=None, max_length=20)  # checked against the コード表 on the plan's start
    intensity: str | None = None
    interval_days: int | None = Field(default=None, ge=1, le=92)
    nurse: Text | None = Field(default=None, max_length=64)
    nurse_name: Text | None = Field(default=None, max_length=100)
    supporters: list[Supporter] | None = Field(default=None, max_length=10)
    conference_on: FlexibleDate | None = None
    conference_participants: Text | None = Field(default=None, max_length=1000)
    consent_on: FlexibleDate | None = None
    consent_how: Text | None = Field(default=None, max_length=100)
    goals: Text | None = Field(default=None, max_length=2000)
    planned_confirmations: Text | None = Field(default=None, max_length=2000)
    reviews: list[Review] | None = Field(default=None, max_length=50)
    ltbi_regimen: str | None = None
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("ltbi_regimen")
    @classmethod
    def _ltbi(cls, value: str | None) -> str | None:
        return known_choice(LTBI_REGIMENS, "LTBIの処方", value)

    @field_validator("conference_on", "consent_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)

    @model_validator(mode="after")
    def _order(self) -> PlanUpdate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("支援終了日が開始日より前になっています。")
        return self


class PlanCreate(PlanUpdate):
    """A new plan: at least its start, the DOTS type and the intensity."""

    starts_on: FlexibleDate
    dots_type: str
    intensity: str


class PlanRead(_Read):
    """A support plan as the API shows it, with the contact interval in force."""

    treatment_id: uuid.UUID | None
    starts_on: date
    ends_on: date | None
    dots_type: str
    intensity: str
    interval_days: int | None
    nurse: str
    nurse_name: str
    supporters: list[dict[str, Any]]
    conference_on: date | None
    conference_participants: str
    consent_on: date | None
    consent_how: str
    goals: str
    planned_confirmations: str
    reviews: list[dict[str, Any]]
    ltbi_regimen: str
    note: str
    contact_interval_days: int = 0


# ---- confirmations ----


class ConfirmationUpdate(_Input):
    """The items of one day's confirmation."""

    method: str | None = None
    status: str | None = None
    side_effects: Text | None = Field(default=None, max_length=1000)
    remaining_doses: int | None = Field(default=None, ge=0, le=1000)
    note: Text | None = Field(default=None, max_length=1000)

    @field_validator("method", "status", mode="before")
    @classmethod
    def _chosen(cls, value: object, info: ValidationInfo) -> object:
        if value == "":
            raise ValueError(
                "確認方法を選んでください。" if info.field_name == "method" else "服薬の状況を選んでください。"
            )
        return value

    @field_validator("method")
    @classmethod
    def _method(cls, value: str | None) -> str | None:
        return known_choice(METHODS, "確認方法", value)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        return known_choice(STATUSES, "服薬の状況（服薬・未服薬・不明）", value)


class ConfirmationCreate(ConfirmationUpdate):
    """One day's confirmation: the date, how, and whether the dose was taken."""

    confirmed_on: FlexibleDate
    method: str
    status: str

    @field_validator("confirmed_on")
    @classmethod
    def _past(cls, value: date) -> date | None:
        return not_future(value)


class CalendarEntry(ConfirmationCreate):
    """One date of a month's calendar; `version` when it corrects a date already recorded."""

    version: int | None = Field(default=None, ge=1)


class CalendarCreate(_Input):
    """Many dates of one patient in one request (a month's calendar, up to 92 days)."""

    items: list[dict[str, Any]] = Field(min_length=1, max_length=92)


class ConfirmationRead(_Read):
    """One day's confirmation."""

    confirmed_on: date
    method: str
    status: str
    confirmed_by: str
    confirmed_by_name: str
    side_effects: str
    remaining_doses: int | None
    note: str


class ConfirmationPage(BaseModel):
    """A patient's confirmations in date order."""

    items: list[ConfirmationRead]


# ---- cohort review ----


class ReviewUpdate(_Input):
    """What staff record for the outcome: the end of the course, a death, an override with its reason, the meeting."""

    end_reason: str | None = None
    died_on: FlexibleDate | None = None
    death_cause: str | None = None
    override_outcome: str | None = None
    override_reason: Text | None = Field(default=None, max_length=1000)
    meeting_note: Text | None = Field(default=None, max_length=4000)
    ltbi_checked_on: FlexibleDate | None = None  # F02
    ltbi_checklist: dict[str, ChecklistAnswer] | None = None

    @field_validator("ltbi_checked_on")
    @classmethod
    def _checked_past(cls, value: date | None) -> date | None:
        return not_future(value)

    @field_validator("end_reason")
    @classmethod
    def _end(cls, value: str | None) -> str | None:
        return known_choice(END_REASONS, "治療終了の理由", value)

    @field_validator("death_cause")
    @classmethod
    def _cause(cls, value: str | None) -> str | None:
        return known_choice({"tb": "", "other": ""}, "死因（結核死・結核以外）", value)

    @field_validator("override_outcome")
    @classmethod
    def _outcome(cls, value: str | None) -> str | None:
        return known_choice(OUTCOMES, "治療成績", value)

    @model_validator(mode="after")
    def _reasoned(self) -> ReviewUpdate:
        if self.override_outcome and not self.override_reason:
            raise ValueError("判定を変更するときは理由を入力してください。")
        return self


class ReviewChange(ReviewUpdate):
    """A change of the review, based on the version the user saw (0 when none was saved yet)."""

    version: int = Field(ge=0)


def parse_period(text: str) -> tuple[date, date]:
    """A cohort period as typed: 2025 (a year) or 2025Q1–2025Q4 (a quarter); ValueError in Japanese otherwise."""
    match = re.fullmatch(r"(\d{4})(?:[QqＱ]([1-4]))?", text.strip())
    if not match:
        raise ValueError("期間は年（2025）または四半期（2025Q1）で指定してください。")
    year, quarter = int(match.group(1)), match.group(2)
    if not quarter:
        return date(year, 1, 1), date(year, 12, 31)
    first_month = (int(quarter) - 1) * 3 + 1
    last = date(year + 1, 1, 1) if first_month == 10 else date(year, first_month + 3, 1)
    return date(year, first_month, 1), date.fromordinal(last.toordinal() - 1)


class DaySheetLine(BaseModel):
    """One patient of a nurse's round: the plan, that day's confirmation if any, the last one and what is due."""

    patient_id: uuid.UUID
    registration_no: str
    name: str
    name_kana: str
    plan_id: uuid.UUID | None
    dots_type: str
    intensity: str
    confirmation: ConfirmationRead | None
    last_confirmed_on: date | None
    due_on: date | None
    due_why: str
    due_today: bool


class DaySheetRead(BaseModel):
    """Every patient a nurse confirms on a day, one line each."""

    day: date
    nurse: str
    items: list[DaySheetLine]
