"""What the configurable-field API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator
from tbms_core.clock import today
from tbms_core.jp.fields import FlexibleDate, Text

from patients.custom_field.values import is_active


class FieldTarget(StrEnum):
    """The kind of record a field is added to."""

    PATIENT = "patient"  # 基本情報
    LAB_RESULT = "lab_result"  # 菌検査
    TREATMENT = "treatment"  # 治療


class FieldType(StrEnum):
    """How a field is entered and checked."""

    TEXT = "text"  # 文字
    NUMBER = "number"  # 数値
    DATE = "date"  # 日付（和暦・西暦）
    CHOICE = "choice"  # 選択（1つ）
    MULTI_CHOICE = "multi_choice"  # 選択（複数）
    YES_NO = "yes_no"  # はい／いいえ


TYPE_LABELS = {
    FieldType.TEXT: "文字",
    FieldType.NUMBER: "数値",
    FieldType.DATE: "日付",
    FieldType.CHOICE: "選択（1つ）",
    FieldType.MULTI_CHOICE: "選択（複数）",
    FieldType.YES_NO: "はい／いいえ",
}
TARGET_LABELS = {FieldTarget.PATIENT: "基本情報", FieldTarget.LAB_RESULT: "菌検査", FieldTarget.TREATMENT: "治療"}
WITH_CHOICES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})


class ChoiceCreate(BaseModel):
    """One choice as an administrator enters it: the stored value and the label staff see."""

    value: Text = Field(min_length=1, max_length=50)
    label: Text = Field(min_length=1, max_length=100)


class ChoiceRead(BaseModel):
    """One choice of a field as forms show it."""

    value: str
    label: str


def _unique_choices(choices: list[ChoiceCreate] | None) -> list[ChoiceCreate] | None:
    if choices is not None and len({c.value for c in choices}) != len(choices):
        raise ValueError("選択肢の値が重複しています。")
    return choices


class _Period(BaseModel):
    @model_validator(mode="after")
    def _ordered(self) -> Any:
        start, end = getattr(self, "active_from", None), getattr(self, "active_to", None)
        if start and end and end < start:
            raise ValueError("適用終了日が適用開始日より前になっています。")
        return self


class FieldDefinitionCreate(_Period):
    """A new field: its key is fixed for good, everything else can be changed later."""

    target: FieldTarget
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=50)
    label: Text = Field(min_length=1, max_length=100)
    type: FieldType
    choices: list[ChoiceCreate] = Field(default_factory=list)
    required: bool = False
    help_text: Text = Field(default="", max_length=1000)
    sort_order: int = Field(default=0, ge=0, le=100_000)
    active_from: FlexibleDate | None = None
    active_to: FlexibleDate | None = None

    _choices = field_validator("choices")(_unique_choices)

    @field_validator("key", mode="before")
    @classmethod
    def _key(cls, value: object) -> object:
        if isinstance(value, str) and not value.isascii():
            raise ValueError("キーは半角英小文字・数字・_ で入力してください（例: workplace）。")
        return value

    @model_validator(mode="after")
    def _choices_fit_type(self) -> FieldDefinitionCreate:
        if self.type in WITH_CHOICES and not self.choices:
            raise ValueError("選択肢を1つ以上入力してください。")
        if self.type not in WITH_CHOICES and self.choices:
            raise ValueError("選択肢は選択形式の項目にだけ設定できます。")
        return self


class FieldDefinitionUpdate(_Period):
    """The parts of a definition a change sets; key, target and type stay (stored values depend on them).

    A field left out stays as it is; `active_from` / `active_to` set to null clear the period's end.
    """

    label: Text | None = Field(default=None, min_length=1, max_length=100)
    choices: list[ChoiceCreate] | None = None
    required: bool | None = None
    help_text: Text | None = Field(default=None, max_length=1000)
    sort_order: int | None = Field(default=None, ge=0, le=100_000)
    active_from: FlexibleDate | None = None
    active_to: FlexibleDate | None = None

    _choices = field_validator("choices")(_unique_choices)

    @model_validator(mode="before")
    @classmethod
    def _fixed(cls, data: Any) -> Any:
        if isinstance(data, dict) and {"target", "key", "type"} & data.keys():
            raise ValueError("対象・キー・入力形式は変更できません。別の項目として追加してください。")
        return data


class FieldDefinitionChange(BaseModel):
    """A change of a definition, based on the version the administrator saw."""

    version: int = Field(ge=1)
    changes: FieldDefinitionUpdate
    reason: Text = Field(default="", max_length=500)


class FieldDefinitionDeactivation(BaseModel):
    """Stops using a field from a day on (default today); its stored values are kept."""

    version: int = Field(ge=1)
    on: FlexibleDate | None = None
    reason: Text = Field(default="", max_length=500)


class FieldDefinitionFilter(BaseModel):
    """Which definitions a list shows, read from the query string; both conditions are optional."""

    target: FieldTarget | None = None
    active_on: date | None = Field(default=None, description="only fields in use on this day, as a form shows them")


class FieldDefinitionRead(BaseModel):
    """A definition as forms and the administration page use it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    target: FieldTarget
    key: str
    label: str
    type: FieldType
    choices: list[ChoiceRead]
    required: bool
    help_text: str
    sort_order: int
    active_from: date | None
    active_to: date | None
    updated_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def type_label(self) -> str:
        """The type in Japanese."""
        return TYPE_LABELS[self.type]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def target_label(self) -> str:
        """The record kind in Japanese."""
        return TARGET_LABELS[self.target]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        """In use today."""
        return is_active(self, today())  # type: ignore[arg-type]


class FieldDefinitionPage(BaseModel):
    """Definitions in form order: by record kind, then sort order."""

    items: list[FieldDefinitionRead]
