"""What the master API takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from tbms_contracts.masters import MasterSnapshot
from tbms_core.jp.fields import FlexibleDate, OptionalDate, Text
from tbms_core.web import MAX_OFFSET


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MasterCreate(_Input):
    """A new record: code (blank where the kind derives it), name, カナ, the kind's data and its period."""

    code: Text = ""
    name: Text = ""
    kana: Text = ""
    data: dict[str, Any] = {}
    valid_from: OptionalDate = None  # blank: today
    valid_to: OptionalDate = None
    reason: Text = Field(default="", max_length=500)


class MasterChange(_Input):
    """A correction from the version the user saw: `changes` names name, kana, valid_from, valid_to or data keys."""

    version: int
    changes: dict[str, Any]
    reason: Text = Field(default="", max_length=500)


class MasterEnd(_Input):
    """Ending a record (the only way to retire one): the last day it is valid."""

    version: int
    valid_to: FlexibleDate
    reason: Text = Field(default="", max_length=500)


class MasterRow(BaseModel):
    """One row of a file or a bulk call, values as typed; blank valid_from keeps an existing record's start."""

    line: int = 0
    code: str = ""
    name: str = ""
    kana: str = ""
    data: dict[str, Any] = {}
    valid_from: date | str | None = None
    valid_to: date | str | None = None


class MasterRead(MasterSnapshot):
    """One record as lists, forms and events show it."""

    model_config = ConfigDict(frozen=True, from_attributes=True)


class MasterPage(BaseModel):
    """A page of records and how many match."""

    items: list[MasterRead]
    total: int


class MasterFilter(BaseModel):
    """What a list asks for: a search text, the day rows must be valid on, a page."""

    q: str = ""
    on: OptionalDate = None  # blank: today in Japan
    include_ended: bool = False
    limit: int = Field(default=50, ge=1, le=500)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class MasterSuggestion(BaseModel):
    """One type-ahead choice."""

    code: str
    name: str
    kana: str
    label: str
    detail: str


class FieldChangeRead(BaseModel):
    """One changed field, values as staff read them."""

    field: str
    label: str
    old: str
    new: str


class MasterHistoryEntryRead(BaseModel):
    """One saved change: who, when, why, what."""

    version: int
    changed_at: datetime
    changed_by: str
    changed_by_name: str
    reason: str
    changes: list[FieldChangeRead]


class MasterHistoryRead(BaseModel):
    """A record's edit history, newest first."""

    items: list[MasterHistoryEntryRead]


class MasterRowCheck(BaseModel):
    """What saving one row would do: new, changed (field by field), unchanged, or an error per field."""

    line: int
    status: Literal["new", "changed", "unchanged", "error"]
    code: str
    name: str
    changes: list[FieldChangeRead] = []
    errors: dict[str, str] = {}


class MasterApplied(BaseModel):
    """How many rows a bulk save created, changed and left as they were."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0


class MasterKindRead(BaseModel):
    """A kind of master and its fields, for forms and exports."""

    kind: str
    label: str
    code_label: str
    code_hint: str
    name_label: str
    code_derived: bool  # masters makes the code from the data when it is left blank (コード表, 人口, letterhead)
    name_derived: bool  # … and the name (コード表, 人口)
    fields: list[dict[str, Any]]
