"""What the contact API accepts and returns; input is normalised the way staff type it (N11)."""

from __future__ import annotations

import re
import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator, model_validator
from tbms_core.clock import today
from tbms_core.jp.fields import FlexibleDate, OptionalDate, Text
from tbms_core.jp.text import is_kana_reading, to_katakana

from contacts.exam.schemas import ExamRead
from contacts.recommendation.schemas import RecommendationRead


class Setting(StrEnum):
    """接触の場 as built in (the コード表's seed); an exposure's setting is checked against the コード表 of the
    contact's day (contacts.code_list), so one added in マスタ管理 is accepted too."""

    HOUSEHOLD = "household"  # 同居家族
    FAMILY = "family"  # 別居家族
    WORKPLACE = "workplace"  # 職場
    SCHOOL = "school"  # 学校
    MEDICAL = "medical"  # 医療機関
    FACILITY = "facility"  # 施設
    AIRCRAFT = "aircraft"  # 航空機
    OTHER = "other"  # その他


# A code of the コード表's 接触の場 (checked by the service against the list of the contact's day).
SettingCode = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_]+$")]
# A code of the コード表's 終了の理由 (checked by the service against the list of the end's day).
EndReasonCode = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_]+$")]


class Infectiousness(StrEnum):
    """The index patient's infectiousness as assessed for this exposure."""

    HIGH = "high"  # 高感染性
    LOW = "low"  # 低感染性
    NONE = "none"  # 感染性なし
    UNKNOWN = "unknown"  # 未評価


class RiskFactor(StrEnum):
    """Risk factors of the contact (発病・重症化のリスク, デインジャーグループ)."""

    INFANT = "infant"  # 乳幼児
    IMMUNOSUPPRESSED = "immunosuppressed"  # 免疫抑制
    DIABETES = "diabetes"  # 糖尿病
    HIV = "hiv"  # HIV感染
    DANGER_GROUP = "danger_group"  # デインジャーグループの職業（教員・医療従事者など）


class Residence(StrEnum):
    """Where the contact lives: this jurisdiction or another municipality (依頼が要る)."""

    HERE = "here"
    ELSEWHERE = "elsewhere"


class Priority(StrEnum):
    """接触者の優先度."""

    TOP = "top"  # 最優先
    HIGH = "high"  # 優先
    LOW = "low"  # 低優先


class Outcome(StrEnum):
    """The outcome of a contact's screening (TB_PRACTICE §6, result categories)."""

    NO_DISEASE = "no_disease"  # 異常なし（終了）
    OBSERVATION = "observation"  # 要経過観察
    LTBI_TREATMENT = "ltbi_treatment"  # LTBI（治療）
    LTBI_OBSERVATION = "ltbi_observation"  # LTBI（経過観察）
    DISEASE = "disease"  # 発病
    PENDING = "pending"  # 判定保留
    NOT_EXAMINED = "not_examined"  # 未受診
    LOST = "lost"  # 追跡不能


class EndReason(StrEnum):
    """Why a contact's follow-up ended (終了・対象外) as built in (the コード表's seed); an end's reason is checked
    against the コード表 of its day (contacts.code_list), so one added in マスタ管理 is accepted too."""

    COMPLETED = "completed"  # 健診終了
    EXCLUDED = "excluded"  # 対象外（接触なしと判明など）
    TRANSFERRED = "transferred"  # 他自治体へ移管
    LOST = "lost"  # 追跡不能
    OTHER = "other"  # その他


class _Exposure(BaseModel):
    """The rules exposures share."""

    @model_validator(mode="after")
    def _dates(self) -> _Exposure:
        first, last = getattr(self, "first_contact_on", None), getattr(self, "last_contact_on", None)
        if first and last and first > last:
            raise ValueError("初回接触日が最終接触日より後になっています。")
        return self

    @field_validator("first_contact_on", "last_contact_on", check_fields=False)
    @classmethod
    def _not_future(cls, value: date | None) -> date | None:
        if value and value > today():
            raise ValueError("接触日に未来の日付は入力できません。")
        return value


class ExposureCreate(_Exposure):
    """One exposure to an index patient, as entered."""

    index_patient_id: uuid.UUID
    setting: SettingCode
    relation: Text = Field(default="", max_length=50)
    first_contact_on: OptionalDate = None
    last_contact_on: OptionalDate = None
    hours: float | None = Field(default=None, ge=0, le=100000)
    frequency: Text = Field(default="", max_length=100)
    closed_room: bool = False
    poor_ventilation: bool = False
    infectiousness: Infectiousness = Infectiousness.UNKNOWN
    note: Text = Field(default="", max_length=300)


class ExposureUpdate(_Exposure):
    """The fields of an exposure a correction names; absent ones are kept."""

    setting: SettingCode | None = None
    relation: Text | None = Field(default=None, max_length=50)
    first_contact_on: OptionalDate = None
    last_contact_on: OptionalDate = None
    hours: float | None = Field(default=None, ge=0, le=100000)
    frequency: Text | None = Field(default=None, max_length=100)
    closed_room: bool | None = None
    poor_ventilation: bool | None = None
    infectiousness: Infectiousness | None = None
    note: Text | None = Field(default=None, max_length=300)


class _Person(BaseModel):
    """The per-field rules registration and correction share."""

    @field_validator("name", check_fields=False)
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("入力してください。")
        return value

    @field_validator("name_kana", check_fields=False)
    @classmethod
    def _kana(cls, value: str | None) -> str | None:
        if not value:
            return value
        kana = to_katakana(value)
        if not is_kana_reading(kana):
            raise ValueError("カナはカタカナまたはひらがなで入力してください。")
        return kana

    @field_validator("birth_date", check_fields=False)
    @classmethod
    def _born(cls, value: date | None) -> date | None:
        if value and value > today():
            raise ValueError("生年月日に未来の日付は入力できません。")
        return value

    @field_validator("municipality_code", check_fields=False)
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"\d{5,6}", value):
            raise ValueError("市区町村コードは5桁または6桁の数字で入力してください（例: 131121）。")
        return value


class ContactCreate(_Person):
    """A contact as registered, with at least one exposure."""

    name: Text = Field(min_length=1, max_length=100)
    name_kana: Text = Field(default="", max_length=200)
    sex: str = Field(default="", pattern=r"^(male|female|)$")
    birth_date: OptionalDate = None
    address: Text = Field(default="", max_length=300)
    phone: Text = Field(default="", max_length=20)
    affiliation: Text = Field(default="", max_length=200)
    residence: Residence = Residence.HERE
    municipality: Text = Field(default="", max_length=100, validate_default=True)
    municipality_code: Text = Field(default="", max_length=6)
    risk_factors: list[RiskFactor] = Field(default_factory=list, max_length=10)
    symptomatic: bool = False
    nurse: Text = Field(default="", max_length=100)  # 担当保健師 (user name)
    found_on: OptionalDate = None
    note: Text = Field(default="", max_length=2000)
    exposures: list[ExposureCreate] = Field(min_length=1, max_length=20)
    patient_id: uuid.UUID | None = None  # the registered patient this contact is (chosen at the duplicate check)

    @field_validator("municipality")
    @classmethod
    def _elsewhere(cls, value: str, info: ValidationInfo) -> str:
        """Answered under `municipality`, the field to fill in (residence is validated before it)."""
        if info.data.get("residence") == Residence.ELSEWHERE and not value:
            raise ValueError("他自治体に住む接触者は市区町村名を入力してください。")
        return value


class ContactUpdate(_Person):
    """The fields of a contact a correction names; absent ones are kept."""

    name: Text | None = Field(default=None, max_length=100)  # "" is refused by _Person._named
    name_kana: Text | None = Field(default=None, max_length=200)
    sex: str | None = Field(default=None, pattern=r"^(male|female|)$")
    birth_date: OptionalDate = None
    address: Text | None = Field(default=None, max_length=300)
    phone: Text | None = Field(default=None, max_length=20)
    affiliation: Text | None = Field(default=None, max_length=200)
    residence: Residence | None = None
    municipality: Text | None = Field(default=None, max_length=100)
    municipality_code: Text | None = Field(default=None, max_length=6)
    risk_factors: list[RiskFactor] | None = Field(default=None, max_length=10)
    symptomatic: bool | None = None
    nurse: Text | None = Field(default=None, max_length=100)  # "" clears it
    priority_override: str | None = Field(default=None, pattern=r"^(top|high|low|)$")  # "" clears it
    priority_reason: Text | None = Field(default=None, max_length=300)
    outcome: Outcome | None = None
    outcome_on: OptionalDate = None
    note: Text | None = Field(default=None, max_length=2000)


class ContactChange(BaseModel):
    """A correction (修正) of a contact, based on the version the user saw."""

    version: int = Field(ge=1)
    changes: ContactUpdate
    reason: Text = Field(default="", max_length=500)


class ExposureAdd(BaseModel):
    """Another index patient the contact was exposed to, based on the contact's version."""

    version: int = Field(ge=1)
    exposure: ExposureCreate


class ExposureChange(BaseModel):
    """A correction of one exposure, based on the contact's version."""

    version: int = Field(ge=1)
    changes: ExposureUpdate
    reason: Text = Field(default="", max_length=500)


class ContactEnd(BaseModel):
    """The end of a contact's follow-up (終了) or its exclusion (対象外)."""

    version: int = Field(ge=1)
    ended_on: FlexibleDate
    reason: EndReasonCode
    note: Text = Field(default="", max_length=300)


class JudgementRead(BaseModel):
    """A suggestion of the rules, the reason a user can read and the source of the rule."""

    value: str
    label: str
    why: str
    basis: str


class ExposureRead(BaseModel):
    """An exposure with the class and priority the rules suggest for it."""

    id: uuid.UUID
    index_patient_id: uuid.UUID
    index_patient_name: str
    setting: str
    setting_label: str = ""  # from the コード表, ended or not
    relation: str
    first_contact_on: date | None
    last_contact_on: date | None
    hours: float | None
    frequency: str
    closed_room: bool
    poor_ventilation: bool
    infectiousness: str
    note: str
    exposure_class: JudgementRead
    priority: JudgementRead


class PriorityRead(BaseModel):
    """The contact's priority: the suggestion, the override with its reason, and the one in force."""

    value: str
    label: str
    suggested: JudgementRead | None
    override: str
    override_reason: str


class DueRead(BaseModel):
    """One examination of the plan, its due date, why, the source, and whether it was done."""

    kind: str
    label: str
    step: str
    due_on: date
    why: str
    basis: str
    status: str  # done, not_needed, overdue, due, closed
    exam_id: uuid.UUID | None = None


class GroupOfContact(BaseModel):
    """A 集団接触者 group the contact is a member of (a class, a workplace)."""

    id: uuid.UUID
    name: str


class ContactRead(BaseModel):
    """A contact as the API shows it: identity, exposures, priority, plan, examinations."""

    id: uuid.UUID
    version: int
    found_on: date
    name: str
    name_kana: str
    sex: str
    birth_date: date | None
    address: str
    phone: str
    affiliation: str
    residence: str
    municipality: str
    municipality_code: str
    risk_factors: list[str]
    symptomatic: bool
    outcome: str
    outcome_on: date | None
    status: str
    ended_on: date | None
    end_reason: str
    end_reason_label: str = ""  # from the コード表, ended or not
    note: str
    nurse: str = ""  # 担当保健師 (user name); "" = none of the contact's own
    exposures: list[ExposureRead]
    priority: PriorityRead
    plan: list[DueRead]
    next_due: DueRead | None
    exams: list[ExamRead]
    recommendations: list[RecommendationRead] = []  # 17条 勧告 issued
    patient_id: uuid.UUID | None = None  # the registered patient this contact is (handed over, or already one)
    patient_name: str = ""  # as contacts last heard from patients
    groups: list[GroupOfContact] = []  # the groups it is a member of (given when one contact is opened)


class ContactPage(BaseModel):
    """A page of contacts and how many there are."""

    items: list[ContactRead]
    total: int


class DueFilter(StrEnum):
    """Which open screenings the screening list shows."""

    WEEK = "week"  # the next open item is due today or within the next 6 days (今週期限)
    OVERDUE = "overdue"  # the next open item's day has passed (期限超過)
    NO_RESULT = "no_result"  # active and no exam done yet (結果未入力)


class ContactSort(StrEnum):
    """The order of the screening list."""

    FOUND = "found"  # 登録日, カナ (the default: earliest listed first)
    DUE = "due"  # 次の予定日 (none last), カナ
    NAME = "name"  # カナ


def _blank_is_none(value: object) -> object:
    return None if value == "" else value


class ContactFilter(BaseModel):
    """The screening list's conditions (all optional; a blank form field is no condition)."""

    index_patient_id: Annotated[uuid.UUID | None, BeforeValidator(_blank_is_none)] = None
    due: Annotated[DueFilter | None, BeforeValidator(_blank_is_none)] = None
    district: Annotated[Text | None, BeforeValidator(_blank_is_none)] = Field(default=None, max_length=20)
    setting: Annotated[SettingCode | None, BeforeValidator(_blank_is_none)] = None
    priority: Annotated[Priority | None, BeforeValidator(_blank_is_none)] = None
    status: Annotated[Literal["active", "ended"] | None, BeforeValidator(_blank_is_none)] = None
    sort: Annotated[ContactSort, BeforeValidator(lambda v: v or ContactSort.FOUND)] = ContactSort.FOUND

    def described(self) -> str:
        """The conditions as the operation history records them."""
        named = self.model_dump(mode="json", exclude_none=True)
        return " ".join(f"{name}={value}" for name, value in named.items())


class ContactCounts(BaseModel):
    """How many contacts an index patient has, how many are still followed, and how many are overdue (counts only)."""

    total: int
    active: int
    overdue: int


class DuplicateQuery(BaseModel):
    """The identity typed on the registration form, to look for the same person among the contacts."""

    name: Text = Field(default="", max_length=100)
    name_kana: Text = Field(default="", max_length=200)
    birth_date: OptionalDate = None
    phone: Text = Field(default="", max_length=20)


class IndexPatientName(BaseModel):
    """An index patient the contact is linked to."""

    id: uuid.UUID
    name: str


class DuplicateRead(BaseModel):
    """An existing contact that may be the same person, why it was found, and whose contact it is."""

    id: uuid.UUID
    version: int
    name: str
    name_kana: str
    sex: str
    birth_date: date | None
    address: str
    phone: str
    status: str
    index_patients: list[IndexPatientName]
    why: list[str]  # 生年月日と氏名が同じ, 電話番号が同じ …


class PatientDuplicateRead(BaseModel):
    """A registered patient who may be the person being registered as a contact."""

    id: uuid.UUID
    registration_no: str
    name: str
    name_kana: str
    birth_date: date | None
    status: str
    why: list[str]  # 生年月日と氏名が同じ, 生年月日とカナが同じ


class DuplicatePage(BaseModel):
    """The likely duplicates (at most 20 contacts and 20 patients)."""

    items: list[DuplicateRead]
    patients: list[PatientDuplicateRead] = []
