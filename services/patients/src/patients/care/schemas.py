"""What the care-record APIs accept and return: treatments, hospitalisations, transfers, progress notes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from patients.patient.schemas import FlexibleDate, Text

# Standard regimens (結核医療の基準): H=INH R=RFP E=EB Z=PZA S=SM; LTBI regimens last.
REGIMENS = {
    "2HREZ/4HR": "2HREZ/4HR（標準治療A法）",
    "2HRE/7HR": "2HRE/7HR（PZAを使えない場合・B法）",
    "2HREZ/7HR": "2HREZ/7HR（延長）",
    "2HRS/7HR": "2HRS/7HR",
    "6HR": "6HR",
    "9HR": "9HR",
    "MDR": "多剤耐性結核の治療",
    "6H": "6H（LTBI）",
    "9H": "9H（LTBI）",
    "4R": "4R（LTBI）",
    "3-4HR": "3〜4HR（LTBI）",
    "other": "その他（備考に記入）",
}
# Cohort outcomes as the 結核登録者情報システム judges them.
OUTCOMES = {
    "cured": "治癒",
    "completed": "治療完了",
    "failed": "治療失敗",
    "died_tb": "死亡（結核死）",
    "died_other": "死亡（結核以外）",
    "lost": "脱落・中断",
    "transferred": "転出",
    "ongoing_12m": "12か月を超える治療",
    "not_evaluated": "判定不能",
}
DIRECTIONS = {"in": "転入", "out": "転出"}
NOTE_KINDS = {
    "visit": "家庭訪問",
    "interview": "面接",
    "phone": "電話",
    "dots": "服薬支援（DOTS）",
    "hospital": "医療機関との連絡",
    "conference": "会議・カンファレンス",
    "other": "その他",
}


def _known(values: dict[str, str], what: str, value: str | None) -> str | None:
    if value and value not in values:
        raise ValueError(f"{what}が選択肢にありません。")
    return value


def _not_future(value: date | None) -> date | None:
    if value is not None and value > date.today():
        raise ValueError("未来の日付は入力できません。")
    return value


def _in_order(first: date | None, then: date | None, message: str) -> None:
    if first and then and then < first:
        raise ValueError(message)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TreatmentFields(_Input):
    """The items of a treatment course; all optional so a correction can name only what changes."""

    regimen: str | None = None
    regimen_note: Text | None = Field(default=None, max_length=200)
    started_on: FlexibleDate | None = None
    planned_end_on: FlexibleDate | None = None
    ended_on: FlexibleDate | None = None
    outcome: str | None = None
    institution: Text | None = Field(default=None, max_length=200)
    note: Text | None = Field(default=None, max_length=2000)
    custom: dict[str, Any] | None = None  # configurable fields (R33), checked by the service

    @field_validator("regimen")
    @classmethod
    def _regimen(cls, value: str | None) -> str | None:
        return _known(REGIMENS, "処方（レジメン）", value)

    @field_validator("outcome")
    @classmethod
    def _outcome(cls, value: str | None) -> str | None:
        return _known(OUTCOMES, "治療成績（転帰）", value)

    @field_validator("started_on", "ended_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return _not_future(value)

    @model_validator(mode="after")
    def _dates(self) -> TreatmentFields:
        _in_order(self.started_on, self.planned_end_on, "終了予定日が開始日より前になっています。")
        _in_order(self.started_on, self.ended_on, "終了日が開始日より前になっています。")
        return self


class TreatmentCreate(TreatmentFields):
    """A new treatment course (or a corrected one as a whole): at least the regimen and the start date."""

    regimen: str
    started_on: FlexibleDate

    @model_validator(mode="after")
    def _other_is_described(self) -> TreatmentCreate:
        if self.regimen == "other" and not self.regimen_note:
            raise ValueError("処方が「その他」のときは内容を処方の備考に入力してください。")
        return self


class HospitalisationFields(_Input):
    """The items of a hospital stay."""

    hospital: Text | None = Field(default=None, min_length=1, max_length=200)
    admitted_on: FlexibleDate | None = None
    discharged_on: FlexibleDate | None = None
    recommended: bool | None = None
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("admitted_on", "discharged_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return _not_future(value)

    @model_validator(mode="after")
    def _dates(self) -> HospitalisationFields:
        _in_order(self.admitted_on, self.discharged_on, "退院日が入院日より前になっています。")
        return self


class HospitalisationCreate(HospitalisationFields):
    """A new hospital stay: at least the hospital and the admission date."""

    hospital: Text = Field(min_length=1, max_length=200)
    admitted_on: FlexibleDate


class TransferFields(_Input):
    """The items of a move into or out of the area."""

    direction: str | None = None
    moved_on: FlexibleDate | None = None
    counterpart: Text | None = Field(default=None, max_length=200)
    address: Text | None = Field(default=None, max_length=300)
    card_sent_on: FlexibleDate | None = None
    note: Text | None = Field(default=None, max_length=2000)

    @field_validator("direction")
    @classmethod
    def _direction(cls, value: str | None) -> str | None:
        return _known(DIRECTIONS, "転入・転出の別", value)

    @model_validator(mode="after")
    def _dates(self) -> TransferFields:
        if self.card_sent_on and self.direction == "in":
            raise ValueError("登録票の送付日は転出のときだけ入力します。")
        return self


class TransferCreate(TransferFields):
    """A new transfer: at least the direction and the date."""

    direction: str
    moved_on: FlexibleDate


class ProgressNoteFields(_Input):
    """The items of a progress note."""

    noted_on: FlexibleDate | None = None
    kind: str | None = None
    text: Text | None = Field(default=None, min_length=1, max_length=4000)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str | None) -> str | None:
        return _known(NOTE_KINDS, "記録の種類", value)

    @field_validator("noted_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return _not_future(value)


class ProgressNoteCreate(ProgressNoteFields):
    """A new progress note: date, kind and text."""

    noted_on: FlexibleDate
    kind: str
    text: Text = Field(min_length=1, max_length=4000)


class CareChange(BaseModel):
    """A correction of a care record, based on the version the user saw."""

    version: int = Field(ge=1)
    changes: dict[str, Any]
    reason: Text = Field(default="", max_length=500)


class CareRecordRead(BaseModel):
    """A care record as the API shows it: its items plus labels of the coded ones."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    version: int
    updated_at: datetime | None
    updated_by: str
    data: dict[str, Any]
    labels: dict[str, str] = {}


class CarePage(BaseModel):
    """A patient's records of one kind, newest first."""

    items: list[CareRecordRead]
