"""What the patient API accepts and returns; input is normalised the way staff type it (N11)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from tbms_core.clock import today
from tbms_core.jp.fields import FlexibleDate, Text
from tbms_core.jp.text import is_kana_reading, to_katakana

from patients.care.schemas import CareRecordRead
from patients.history.schemas import HistoryEntryRead
from patients.lab_result.schemas import LabResultRead
from patients.patient.card import Clinical, Disease, Guardian, Notification


class Sex(StrEnum):
    """性別 as the 登録票 records it."""

    MALE = "male"
    FEMALE = "female"


class Category(StrEnum):
    """登録区分."""

    PATIENT = "patient"  # 患者
    RECOVERED = "recovered"  # 回復者
    LTBI = "ltbi"  # 潜在性結核感染症
    PROVISIONAL = "provisional"  # 仮登録


class _PatientRules(BaseModel):
    """The per-field rules registration and correction share."""

    @field_validator("name_kana", check_fields=False)
    @classmethod
    def _kana(cls, value: str | None) -> str | None:
        if value is None:
            return value
        kana = to_katakana(value)
        if not is_kana_reading(kana):
            raise ValueError("カナはカタカナまたはひらがなで入力してください。")
        return kana

    @field_validator("postal_code", check_fields=False)
    @classmethod
    def _postal(cls, value: str | None) -> str | None:
        if not value:
            return value
        if not re.fullmatch(r"\d{3}-?\d{4}", value):
            raise ValueError("郵便番号は7桁の数字で入力してください（例: 154-0017）。")
        return value if "-" in value else f"{value[:3]}-{value[3:]}"

    @field_validator("birth_date", check_fields=False)
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value is not None and value > today():
            raise ValueError("生年月日が未来の日付になっています。")
        return value


class PatientCreate(_PatientRules):
    """A new registration: the person and the registration facts."""

    name: Text = Field(min_length=1, max_length=100)
    name_kana: Text = Field(min_length=1, max_length=200)
    sex: Sex
    birth_date: FlexibleDate
    category: Category = Category.PATIENT
    registered_on: FlexibleDate | None = None
    postal_code: Text = Field(default="", max_length=8)
    address: Text = Field(default="", max_length=300)
    phone: Text = Field(default="", max_length=20)
    district: Text = Field(default="", max_length=20)
    nurse: Text = Field(default="", max_length=100)
    alias: Text = Field(default="", max_length=100)
    occupation: str = Field(default="", max_length=40)  # a code of the コード表, checked by the service
    occupation_note: Text = Field(default="", max_length=100)
    birth_country: Text = Field(default="", max_length=60)
    nationality: Text = Field(default="", max_length=60)
    guardian: Guardian = Guardian()
    notification: Notification = Notification()
    disease: Disease = Disease()
    clinical: Clinical = Clinical()
    custom: dict[str, Any] = Field(default_factory=dict)  # configurable fields (R33), checked by the service
    # the contact (接触者) who fell ill and is handed over: not stored here, carried by PatientRegistered so that
    # contacts links the contact to this patient
    source_contact_id: uuid.UUID | None = None


class PatientUpdate(_PatientRules):
    """The fields a correction changes; a field left out (or null) stays as it is."""

    name: Text | None = Field(default=None, min_length=1, max_length=100)
    name_kana: Text | None = Field(default=None, min_length=1, max_length=200)
    sex: Sex | None = None
    birth_date: FlexibleDate | None = None
    category: Category | None = None
    registered_on: FlexibleDate | None = None
    postal_code: Text | None = Field(default=None, max_length=8)
    address: Text | None = Field(default=None, max_length=300)
    phone: Text | None = Field(default=None, max_length=20)
    district: Text | None = Field(default=None, max_length=20)
    nurse: Text | None = Field(default=None, max_length=100)
    alias: Text | None = Field(default=None, max_length=100)
    occupation: str | None = Field(default=None, max_length=40)
    occupation_note: Text | None = Field(default=None, max_length=100)
    birth_country: Text | None = Field(default=None, max_length=60)
    nationality: Text | None = Field(default=None, max_length=60)
    guardian: Guardian | None = None  # a section replaces the stored one as a whole
    notification: Notification | None = None
    disease: Disease | None = None
    clinical: Clinical | None = None
    custom: dict[str, Any] | None = None  # configurable fields: only the keys given change; null or "" clears one


class PatientChange(BaseModel):
    """A correction (修正) of a patient, based on the version the user saw."""

    version: int = Field(ge=1)
    changes: PatientUpdate
    reason: Text = Field(default="", max_length=500)


class PatientRead(BaseModel):
    """A patient as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    registration_no: str
    registered_on: date
    category: Category
    name: str
    name_kana: str
    sex: Sex
    birth_date: date
    postal_code: str
    address: str
    phone: str
    status: str
    district: str
    nurse: str
    excluded_on: date | None
    exclusion_reason: str = ""
    exclusion_note: str = ""
    alias: str = ""
    occupation: str = ""
    occupation_note: str = ""
    birth_country: str = ""
    nationality: str = ""
    guardian: dict[str, Any] = {}
    notification: dict[str, Any] = {}
    disease: dict[str, Any] = {}
    clinical: dict[str, Any] = {}
    at_registration: dict[str, Any] = {}
    custom: dict[str, Any] = {}  # configurable fields: every stored value, also of fields no longer in use
    updated_at: datetime | None
    classification_code: str = ""  # 総合患者分類コード, derived
    classification: str = ""
    gakkai: str = ""  # 学会分類, e.g. bII2
    age: int | None = None


SmearGrade = Literal["", "−", "±", "1+", "2+", "3+"]
Sign = Literal["", "+", "−", "検査中", "未実施"]


class RegistrationBacteriology(BaseModel):
    """The bacteriology as at registration (record #1); DST results arriving later are entered here too."""

    model_config = ConfigDict(extra="forbid")

    smear: SmearGrade = ""
    smear_gaffky: Text = Field(default="", max_length=4)
    culture: Literal["", "陽性", "陰性", "培養中", "未実施"] = ""
    naat: Sign = ""
    identification: Literal["", "結核菌群", "非結核性抗酸菌"] = ""
    dst: dict[str, Literal["S", "R", "未実施"]] = {}

    @field_validator("smear", mode="before")
    @classmethod
    def _minus(cls, value: object) -> object:
        return "−" if value in ("-", "ー", "－") else value

    # the drugs are checked by the service against the コード表 (code_list) in force on the registration date


class AtRegistration(BaseModel):
    """Record #1 (登録時): what was true at registration; it feeds the 新登録 tables of the 年報."""

    model_config = ConfigDict(extra="forbid")

    category: Category = Category.PATIENT
    disease: Disease = Disease()
    clinical: Clinical = Clinical()
    bacteriology: RegistrationBacteriology = RegistrationBacteriology()


class AtRegistrationUpdate(BaseModel):
    """A correction of record #1 (履歴修正); a section given replaces the stored one as a whole."""

    model_config = ConfigDict(extra="forbid")

    category: Category | None = None
    disease: Disease | None = None
    clinical: Clinical | None = None
    bacteriology: RegistrationBacteriology | None = None


class AtRegistrationChange(BaseModel):
    """A correction of record #1, based on the version of the patient the user saw."""

    version: int = Field(ge=1)
    changes: AtRegistrationUpdate
    reason: Text = Field(default="", max_length=500)


EXCLUSION_REASONS = {
    "two_years": "治療終了後2年経過",
    "no_followup": "経過観察不要と判断（LTBIを含む）",
    "death": "死亡",
    "transfer_out": "転出",
    "diagnosis_changed": "診断変更（結核でない）",
    "followup_ended": "経過観察終了",
    "other": "その他",
}


class ExclusionCreate(BaseModel):
    """登録除外: the date and reason a patient leaves the register."""

    version: int = Field(ge=1)
    excluded_on: FlexibleDate
    reason: str = Field(min_length=1, max_length=40)  # checked by the service against the コード表 of its date
    note: Text = Field(default="", max_length=300)

    @field_validator("excluded_on")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > today():
            raise ValueError("除外日に未来の日付は入力できません。")
        return value


class ReinstatementCreate(BaseModel):
    """Cancelling an exclusion (登録除外の取消), e.g. one made by mistake or a relapse."""

    version: int = Field(ge=1)
    reason: Text = Field(min_length=1, max_length=500)


class DuplicateFilter(BaseModel):
    """Who to look for before registering: the same reading and birth date, or the same name after folding."""

    name: Text = Field(default="", max_length=100)
    name_kana: Text = Field(default="", max_length=200)
    birth_date: FlexibleDate | None = None


class DuplicateRead(BaseModel):
    """A registered patient who may be the same person."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    registration_no: str
    name: str
    name_kana: str
    birth_date: date
    sex: Sex
    status: str
    registered_on: date
    reason: str = ""


class DuplicatePage(BaseModel):
    """Possible duplicates of a new registration."""

    items: list[DuplicateRead]


class AlertRead(BaseModel):
    """An open alert of the patient header: something staff should act on, and the section to do it in."""

    code: str
    level: str
    message: str
    section: str
    due_on: date | None = None  # the date the rule counts from (the to-do's due date)


class MeasureInForceRead(BaseModel):
    """A 勧告 or notice in force on the day (18条 就業制限, 19条・20条 入院勧告 and extensions), for the header."""

    id: uuid.UUID
    article: str
    label: str
    starts_on: date
    ends_on: date | None  # None: 18条 until no longer infectious
    days_left: int | None
    hospital: str
    restricted_work: str


class PatientRecordRead(BaseModel):
    """A patient with the edit history, the test results, every kind of care record, the open alerts and the
    measures in force."""

    patient: PatientRead
    history: list[HistoryEntryRead]
    lab_results: list[LabResultRead]
    care: dict[str, list[CareRecordRead]]  # by URL segment: treatments, hospitalisations, …
    alerts: list[AlertRead]
    measures: list[MeasureInForceRead] = []
