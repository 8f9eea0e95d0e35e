"""What the screening-examination API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator
from tbms_core.clock import today
from tbms_core.jp.fields import FlexibleDate, OptionalDate, Text


class ExamKind(StrEnum):
    """The examinations of 接触者健診 as built in (the コード表's 検査の種類 seed); an examination's kind is checked
    against the コード表 of its day (contacts.code_list), so one added in マスタ管理 is accepted too."""

    IGRA_QFT = "igra_qft"  # IGRA (QFT)
    IGRA_TSPOT = "igra_tspot"  # IGRA (T-SPOT)
    TST = "tst"  # ツベルクリン反応
    XRAY = "xray"  # 胸部X線
    SPUTUM = "sputum"  # 喀痰検査


IGRA_RESULTS = {"positive": "陽性", "negative": "陰性", "borderline": "判定保留", "invalid": "判定不可"}
TST_RESULTS = {"positive": "陽性", "negative": "陰性", "borderline": "判定保留"}
XRAY_RESULTS = {
    "normal": "異常なし",
    "follow_up": "要経過観察",
    "suspected": "結核疑い（要精密検査）",
    "other": "その他の所見",
}
SPUTUM_RESULTS = {"negative": "陰性", "positive": "陽性", "pending": "結果待ち"}
RESULTS = {
    ExamKind.IGRA_QFT: IGRA_RESULTS,
    ExamKind.IGRA_TSPOT: IGRA_RESULTS,
    ExamKind.TST: TST_RESULTS,
    ExamKind.XRAY: XRAY_RESULTS,
    ExamKind.SPUTUM: SPUTUM_RESULTS,
}


# The results of each rule of contact.rules (ScreeningRules.exam_rules): a kind's choices follow its rule.
RULE_RESULTS = {"igra": IGRA_RESULTS, "tst": TST_RESULTS, "xray": XRAY_RESULTS, "sputum": SPUTUM_RESULTS}


def results_of(kind: str, exam_rules: dict[str, str]) -> dict[str, str] | None:
    """The result choices of a 検査の種類 code by its rule; None when it has none (the result is free text)."""
    return RULE_RESULTS.get(exam_rules.get(kind, ""))


# 撮影方向 of a chest X-ray (照射録)
PROJECTIONS = {
    "pa": "正面（PA・立位）",
    "ap": "正面（AP）",
    "lateral": "側面",
    "pa_lateral": "正面（PA）・側面の2方向",
}


class Irradiation(BaseModel):
    """The irradiation conditions of a chest X-ray, as the 照射録 records them (診療放射線技師法第28条; 同法施行規則
    第16条: 照射の方法 具体的にかつ精細に, and the instructing doctor's name and instruction). Every item may be
    entered later; F24 lists those still missing before it prints."""

    model_config = ConfigDict(extra="forbid")

    projection: Literal["", "pa", "ap", "lateral", "pa_lateral"] = ""  # 撮影方向
    exposures: int | None = Field(default=None, ge=1, le=10)  # 撮影回数
    kv: float | None = Field(default=None, ge=20, le=200)  # 管電圧 (kV)
    ma: float | None = Field(default=None, gt=0, le=2000)  # 管電流 (mA)
    time_s: float | None = Field(default=None, gt=0, le=10)  # 照射時間 (秒)
    mas: float | None = Field(default=None, gt=0, le=1000)  # 管電流時間積 (mAs)
    distance_cm: int | None = Field(default=None, ge=30, le=400)  # 撮影距離 (cm)
    device: Text = Field(default="", max_length=100)  # 装置
    radiographer: Text = Field(default="", max_length=100)  # 撮影者（診療放射線技師）
    physician: Text = Field(default="", max_length=100)  # 指示をした医師
    instruction: Text = Field(default="", max_length=200)  # 指示の内容


class IrradiationRead(Irradiation):
    """The irradiation conditions with the label of the projection."""

    model_config = ConfigDict(extra="ignore")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def projection_label(self) -> str:
        """撮影方向 in Japanese."""
        return PROJECTIONS.get(self.projection, "")


class _Exam(BaseModel):
    """The rules an examination's fields share."""

    @field_validator("done_on", check_fields=False)
    @classmethod
    def _done(cls, value: date | None) -> date | None:
        if value and value > today():
            raise ValueError("実施日に未来の日付は入力できません。")
        return value


# A code of the コード表's 検査の種類 (checked against the list in force on the record's day by the service).
ExamCode = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_]+$")]


class ExamCreate(_Exam):
    """An examination planned or done, as entered."""

    kind: ExamCode
    planned_on: OptionalDate = None
    done_on: OptionalDate = None
    institution: Text = Field(default="", max_length=200)
    institution_code: Text = Field(default="", max_length=10, pattern=r"^\d*$")
    result: str = Field(default="", max_length=20)
    value: Text = Field(default="", max_length=50)
    erythema_mm: int | None = Field(default=None, ge=0, le=200)
    induration_mm: int | None = Field(default=None, ge=0, le=200)
    finding: Text = Field(default="", max_length=300)
    note: Text = Field(default="", max_length=2000)
    irradiation: Irradiation | None = None  # 胸部X線: the 照射録's conditions


class ExamUpdate(_Exam):
    """The fields of an examination a correction names; absent ones are kept."""

    planned_on: OptionalDate = None
    done_on: OptionalDate = None
    institution: Text | None = Field(default=None, max_length=200)
    institution_code: Text | None = Field(default=None, max_length=10, pattern=r"^\d*$")
    result: str | None = Field(default=None, max_length=20)
    value: Text | None = Field(default=None, max_length=50)
    erythema_mm: int | None = Field(default=None, ge=0, le=200)
    induration_mm: int | None = Field(default=None, ge=0, le=200)
    finding: Text | None = Field(default=None, max_length=300)
    note: Text | None = Field(default=None, max_length=2000)
    irradiation: Irradiation | None = None  # replaces the conditions entered before; null clears them


class ExamChange(BaseModel):
    """A correction of an examination, based on the version the user saw."""

    version: int = Field(ge=1)
    changes: ExamUpdate
    reason: Text = Field(default="", max_length=500)


class ExamCancel(BaseModel):
    """Cancels an examination entered by mistake or no longer planned (the record and its history stay)."""

    version: int = Field(ge=1)
    reason: Text = Field(min_length=1, max_length=300)


class Appointment(BaseModel):
    """The day, time and place a contact is to be examined (予約), based on the version the user saw."""

    version: int = Field(ge=1)
    appointment_on: FlexibleDate
    appointment_time: time
    appointment_place: Text = Field(min_length=1, max_length=200)  # 保健所 or an institution, as typed
    appointment_place_code: Text = Field(default="", max_length=10, pattern=r"^\d*$")  # masters 医療機関コード
    reason: Text = Field(default="", max_length=500)


class Reception(BaseModel):
    """The contact came (受付): when, and the receipt number (the next one of the day and place when absent)."""

    version: int = Field(ge=1)
    received_at: datetime | None = None
    receipt_no: int | None = Field(default=None, ge=1, le=9999)


class ExamRead(BaseModel):
    """An examination as the API shows it, with its Japanese labels."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    contact_id: uuid.UUID
    version: int
    kind: str
    kind_label: str = ""
    status: str
    planned_on: date | None
    done_on: date | None
    institution: str
    institution_code: str
    institution_name: str = ""  # from masters, when a code is given and known
    result: str
    result_label: str = ""
    value: str
    erythema_mm: int | None
    induration_mm: int | None
    finding: str
    note: str
    cancel_reason: str
    appointment_on: date | None = None
    appointment_time: time | None = None
    appointment_place: str = ""
    appointment_place_code: str = ""
    received_at: datetime | None = None
    received_on: date | None = None
    reception_place: str = ""
    receipt_no: int | None = None
    received_by: str = ""
    irradiation: IrradiationRead | None = None


KIND_LABELS = {
    ExamKind.IGRA_QFT: "IGRA（QFT）",
    ExamKind.IGRA_TSPOT: "IGRA（T-SPOT）",
    ExamKind.TST: "ツベルクリン反応",
    ExamKind.XRAY: "胸部X線",
    ExamKind.SPUTUM: "喀痰検査",
}
