"""What the access-rights review API answers and reads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import Text

DECISIONS = {"keep": "このままでよい", "change": "権限を変更した", "disable": "無効にする"}


class ConfirmationRead(BaseModel):
    """An administrator's confirmation of an account."""

    model_config = ConfigDict(from_attributes=True)

    decision: str
    decision_label: str = ""
    note: str
    reasons: dict[str, str]
    confirmed_by: str
    confirmed_at: datetime


class ReviewLine(BaseModel):
    """One account on the review."""

    id: str
    username: str
    name: str
    enabled: bool
    groups: list[str]
    levels: dict[str, str]  # area label -> level label, where not 使用不可
    last_login: datetime | None
    has_otp: bool
    reasons: dict[str, str]
    proposal: str
    last_confirmation: ConfirmationRead | None = None


class RightsReport(BaseModel):
    """The review: every account, those with reasons first, and the thresholds used."""

    generated_at: datetime
    dormant_days: int
    temporary_password_days: int
    lines: list[ReviewLine]
    counts: dict[str, int]


class ConfirmationIn(BaseModel):
    """The administrator's decision on one account."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["keep", "change", "disable"]
    note: Text = Field(default="", max_length=1000)
