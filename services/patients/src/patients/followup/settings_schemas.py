"""What the 管理検診 / 行動調査 settings API accepts and returns: the schedules' intervals and the added items."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from tbms_core.jp.fields import Text

MAX_MONTHS = 120  # 10 years: beyond any follow-up period a 所長 sets
ITEM_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SETTING_LABELS = {
    "profiles": "管理検診の間隔と期間",
    "investigation_extra_items": "行動調査票に保健所が加える項目",
    "infectious_period": "感染性期間の起点（さかのぼる月数）",
}


class ProfileSetting(BaseModel):
    """One schedule's months after the end of treatment and how long follow-up lasts."""

    model_config = ConfigDict(extra="forbid")

    months: list[int] = Field(max_length=40)
    period_months: int = Field(ge=1, le=MAX_MONTHS)

    @field_validator("months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(m < 1 or m > MAX_MONTHS for m in value):
            raise ValueError(f"検診の月は1から{MAX_MONTHS}までの数で入力してください。")
        if len(set(value)) != len(value):
            raise ValueError("同じ月が2回入力されています。")
        return sorted(value)

    @model_validator(mode="after")
    def _within(self) -> ProfileSetting:
        if self.months and self.months[-1] > self.period_months:
            raise ValueError("最後の検診の月が経過観察の期間を超えています。")
        return self


class ProfilesSetting(BaseModel):
    """The four schedules (TB_PRACTICE §7, §1.2)."""

    model_config = ConfigDict(extra="forbid")

    standard: ProfileSetting
    standard_high_risk: ProfileSetting
    ltbi: ProfileSetting
    ltbi_high_risk: ProfileSetting


class ExtraItemsSetting(BaseModel):
    """The items a health center adds to the 行動調査票: key (letters) → label shown and printed."""

    model_config = ConfigDict(extra="forbid")

    items: dict[str, Text] = Field(max_length=30)

    @field_validator("items")
    @classmethod
    def _items(cls, value: dict[str, str]) -> dict[str, str]:
        for key, label in value.items():
            if not ITEM_KEY.match(key):
                raise ValueError(f"項目の記号「{key}」は半角英小文字で始まる英小文字・数字・_（40字まで）にします。")
            if not label.strip() or len(label) > 60:
                raise ValueError(f"項目「{key}」の名称を60字以内で入力してください。")
        return {key: label.strip() for key, label in value.items()}


class InfectiousPeriodSetting(BaseModel):
    """How many months the infectious period counts back, and fewer for a smear-negative case."""

    model_config = ConfigDict(extra="forbid")

    lookback_months: int = Field(ge=1, le=12)
    smear_negative_months: int = Field(ge=0, le=12)

    @model_validator(mode="after")
    def _shorter(self) -> InfectiousPeriodSetting:
        if self.smear_negative_months > self.lookback_months:
            raise ValueError("塗抹陰性の月数は通常の月数以下にしてください（塗抹陰性は短くする設定です）。")
        return self


SETTING_SCHEMAS: dict[str, type[BaseModel]] = {
    "profiles": ProfilesSetting,
    "investigation_extra_items": ExtraItemsSetting,
    "infectious_period": InfectiousPeriodSetting,
}


class FollowupSettingChange(BaseModel):
    """A new value of one setting, based on the version the user saw (0 while the initial value is in use)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=0)
    value: Any
    reason: Text = Field(default="", max_length=500)


class ProfileSettingRead(BaseModel):
    """One schedule in force beside its shipped default and the basis of that default."""

    key: str
    label: str
    months: list[int]
    period_months: int
    basis: str
    default_months: list[int]
    default_period_months: int
    default_basis: str


class FollowupSettingRead(BaseModel):
    """One setting: its value, whether the initial value is in use, and its version."""

    key: str
    label: str
    value: Any
    initial: bool
    version: int
    # a changed schedule moves at once the open exams of the plans on it (done exams never move)
    rescheduled_plans: int = 0
    rescheduled_exams: int = 0


class FollowupSettingsRead(BaseModel):
    """Every setting with the schedules as they apply, their defaults and basis."""

    items: list[FollowupSettingRead]
    profiles: list[ProfileSettingRead]
    extra_items: dict[str, str]
    infectious_period: dict[str, int]
    source: str
