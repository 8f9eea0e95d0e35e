"""What the group-contact API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator
from tbms_core.jp.fields import OptionalDate, Text

from contacts.contact.schemas import Infectiousness, Setting
from contacts.exam.schemas import ExamCode


class _Facts(BaseModel):
    @model_validator(mode="after")
    def _dates(self) -> _Facts:
        first, last = getattr(self, "first_contact_on", None), getattr(self, "last_contact_on", None)
        if first and last and first > last:
            raise ValueError("初回接触日が最終接触日より後になっています。")
        return self


class GroupCreate(_Facts):
    """A group of contacts of one index patient with the exposure they share."""

    index_patient_id: uuid.UUID
    name: Text = Field(min_length=1, max_length=200)
    setting: Setting
    place: Text = Field(default="", max_length=300)
    first_contact_on: OptionalDate = None
    last_contact_on: OptionalDate = None
    hours: float | None = Field(default=None, ge=0, le=100000)
    closed_room: bool = False
    poor_ventilation: bool = False
    infectiousness: Infectiousness = Infectiousness.UNKNOWN
    note: Text = Field(default="", max_length=2000)


class MemberRead(BaseModel):
    """A member as the group's list shows them, with the screening state."""

    contact_id: uuid.UUID
    name: str
    name_kana: str
    birth_date: date | None
    affiliation: str
    status: str
    next_due_on: date | None
    has_result: bool


class GroupRead(BaseModel):
    """A group with its exposure facts and its members."""

    id: uuid.UUID
    version: int
    index_patient_id: uuid.UUID
    index_name: str
    name: str
    setting: str
    place: str
    first_contact_on: date | None
    last_contact_on: date | None
    hours: float | None
    closed_room: bool
    poor_ventilation: bool
    infectiousness: str
    note: str
    members: list[MemberRead]


class GroupList(BaseModel):
    """The groups of an index patient."""

    items: list[GroupRead]


class DuplicateCandidate(BaseModel):
    """A contact already registered who may be the person of the row."""

    contact_id: uuid.UUID
    name: str
    birth_date: date | None
    why: list[str]
    member: bool = False  # already a member of this group


class ImportRow(BaseModel):
    """One row of the file: the person read, the errors of its cells and the duplicate candidates."""

    line: int
    person: dict[str, Any]
    errors: dict[str, str]
    duplicates: list[DuplicateCandidate]
    same_as_line: int | None = None  # the same person appears on an earlier line of the file


class ImportPreview(BaseModel):
    """A member file read and checked; nothing is registered until it is applied."""

    id: uuid.UUID
    group_id: uuid.UUID
    filename: str
    encoding: str
    status: str
    made_at: datetime
    rows: list[ImportRow]
    total: int
    with_errors: int
    with_duplicates: int


class ImportApply(BaseModel):
    """Applies a preview: for a row with duplicate candidates, "new" or the id of the contact it is."""

    group_version: int = Field(ge=1)
    decisions: dict[str, str] = Field(default_factory=dict)  # line → "new" or a candidate's contact id


class ImportApplied(BaseModel):
    """What applying registered."""

    registered: int
    linked: int
    group: GroupRead


class GroupPlan(BaseModel):
    """One examination planned for every member still followed (e.g. IGRA for the whole class on one day)."""

    version: int = Field(ge=1)
    kind: ExamCode
    planned_on: OptionalDate
    institution: Text = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _day(self) -> GroupPlan:
        if self.planned_on is None:
            raise ValueError("実施予定日を入力してください。")
        return self


class MemberResult(BaseModel):
    """A member's result of an examination done with the group."""

    contact_id: uuid.UUID
    done_on: OptionalDate = None
    result: str = Field(default="", max_length=20)
    value: Text = Field(default="", max_length=50)
    finding: Text = Field(default="", max_length=300)


class GroupResults(BaseModel):
    """Results of one kind of examination for several members, entered at once (all or nothing)."""

    version: int = Field(ge=1)
    kind: ExamCode
    institution: Text = Field(default="", max_length=200)
    results: list[MemberResult] = Field(min_length=1, max_length=2000)


class BulkDone(BaseModel):
    """How many examinations a bulk step recorded."""

    recorded: int
    skipped: int = 0
    group: GroupRead
