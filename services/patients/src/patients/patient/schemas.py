"""What the patient API accepts and returns; input is normalised the way staff type it (N11)."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from tbms_core.jp.text import is_kana_reading, normalize_input, to_katakana
from tbms_core.jp.wareki import parse_date


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


def _text(value: object) -> object:
    return normalize_input(value) if isinstance(value, str) else value


def _date(value: object) -> object:
    if isinstance(value, str):
        return parse_date(value)
    return value


Text = Annotated[str, BeforeValidator(_text)]
FlexibleDate = Annotated[date, BeforeValidator(_date)]


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
        if value is not None and value > date.today():
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
    updated_at: datetime | None


class PatientPage(BaseModel):
    """One page of patients, newest first."""

    items: list[PatientRead]
    total: int
