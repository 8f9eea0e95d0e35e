"""What the 行動調査 API accepts and returns: the interview items, the infectious period, delays and candidates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from tbms_core.jp.fields import FlexibleDate, Text, known_choice, not_future

from patients.investigation.items import BCG, PLACE_KINDS, SETTING_KINDS, SYMPTOMS, VENTILATION


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Symptom(_Item):
    """A symptom and the day it started."""

    symptom: str
    onset_on: FlexibleDate | None = None
    note: Text = Field(default="", max_length=200)

    @field_validator("symptom")
    @classmethod
    def _known(cls, value: str) -> str:
        return known_choice(SYMPTOMS, "症状", value) or value

    @field_validator("onset_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)


class Visit(_Item):
    """One visit of the healthcare-seeking history."""

    visited_on: FlexibleDate
    institution: Text = Field(min_length=1, max_length=200)
    what: Text = Field(default="", max_length=500)

    @field_validator("visited_on")
    @classmethod
    def _past(cls, value: date) -> date:
        return not_future(value) or value


class Member(_Item):
    """A household member."""

    name: Text = Field(min_length=1, max_length=100)
    relation: Text = Field(default="", max_length=40)
    age: int | None = Field(default=None, ge=0, le=130)
    note: Text = Field(default="", max_length=200)


class Setting(_Item):
    """A workplace, school class or facility: hours, room, ventilation."""

    kind: str
    name: Text = Field(min_length=1, max_length=200)
    hours: Text = Field(default="", max_length=100)
    room: Text = Field(default="", max_length=200)
    ventilation: str = "unknown"
    people: int | None = Field(default=None, ge=0, le=100000)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return known_choice(SETTING_KINDS, "職場・学校の種別", value) or value

    @field_validator("ventilation")
    @classmethod
    def _ventilation(cls, value: str) -> str:
        return known_choice(VENTILATION, "換気", value) or value


class Place(_Item):
    """A place visited regularly, or a trip: from when to when."""

    kind: str = "other"
    name: Text = Field(min_length=1, max_length=200)
    frequency: Text = Field(default="", max_length=100)
    from_on: FlexibleDate | None = None
    to_on: FlexibleDate | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return known_choice(PLACE_KINDS | {"travel": "旅行"}, "場所の種別", value) or value

    @model_validator(mode="after")
    def _order(self) -> Place:
        if self.from_on and self.to_on and self.to_on < self.from_on:
            raise ValueError("終了日が開始日より前になっています。")
        return self


class Items(_Item):
    """The interview (行動調査票) items."""

    symptoms: list[Symptom] = []
    visits: list[Visit] = []
    diagnosed_on: FlexibleDate | None = None
    first_positive_on: FlexibleDate | None = None
    found_by_screening: bool = False
    smear_negative: bool = False
    treatment_started_on: FlexibleDate | None = None
    isolated_on: FlexibleDate | None = None
    household: list[Member] = []
    settings: list[Setting] = []
    places: list[Place] = []
    travel: list[Place] = []
    birth_country: Text = Field(default="", max_length=60)
    entry_year: int | None = Field(default=None, ge=1900, le=2100)
    past_tb: Text = Field(default="", max_length=300)
    past_contact: Text = Field(default="", max_length=300)
    bcg: str = "unknown"
    comorbidities: Text = Field(default="", max_length=500)
    extra: dict[str, str] = {}

    @field_validator("bcg")
    @classmethod
    def _bcg(cls, value: str) -> str:
        return known_choice(BCG, "BCG", value) or value

    @field_validator("diagnosed_on", "first_positive_on", "treatment_started_on", "isolated_on")
    @classmethod
    def _past(cls, value: date | None) -> date | None:
        return not_future(value)


class InvestigationSave(BaseModel):
    """The investigation as a whole, with the version the user saw (None for the first save)."""

    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(default=None, ge=1)
    interviewed_on: FlexibleDate | None = None
    interviewer: Text = Field(default="", max_length=100)
    items: Items = Items()
    override_start: FlexibleDate | None = None
    override_end: FlexibleDate | None = None
    override_reason: Text = Field(default="", max_length=500)
    reason: Text = Field(default="", max_length=500)

    def inconsistencies(self) -> dict[str, str]:
        """What makes the override inconsistent, by the field to correct (empty when none)."""
        errors: dict[str, str] = {}
        if (self.override_start or self.override_end) and not self.override_reason:
            errors["override_reason"] = "感染性期間を手入力するときは理由を入力してください。"
        if self.override_start and self.override_end and self.override_end < self.override_start:
            errors["override_end"] = "感染性期間の終了が開始より前になっています。"
        return errors


class PeriodRead(BaseModel):
    """The infectious period with the rule that produced it."""

    start: date | None
    end: date | None
    case: str
    rule: str
    end_rule: str
    overridden: bool
    override_reason: str


class DelayRead(BaseModel):
    """A delay: since, until, the day it starts to count, whether it does, and the rule."""

    kind: str
    label: str
    since: date | None
    until: date | None
    threshold: date | None
    delayed: bool | None
    rule: str


class CandidateRead(BaseModel):
    """A proposed contact (or group) with the exposure inside the infectious period."""

    kind: str  # household, work, school, facility, club, transport, travel, other
    kind_label: str
    name: str
    relation: str = ""
    age: int | None = None
    setting: str = ""
    exposure_from: date | None
    exposure_to: date | None
    basis: str
    poor_ventilation: bool = False  # a setting's room recorded as badly ventilated (a group's exposure fact)


class InvestigationRead(BaseModel):
    """A patient's investigation (None before the first save) with what is computed from it."""

    id: uuid.UUID | None
    version: int | None
    interviewed_on: date | None
    interviewer: str
    items: dict[str, Any]
    override_start: date | None
    override_end: date | None
    override_reason: str
    updated_at: datetime | None
    period: PeriodRead
    delays: list[DelayRead]
    candidates: list[CandidateRead]
    sections: dict[str, str]
    extra_items: dict[str, str]
    codes: dict[str, dict[str, str]]
