"""What the circulation API reads and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from tbms_contracts.workflow import StampBox
from tbms_core.jp.fields import Text


class ReaderCreate(BaseModel):
    """A person a 供覧 is addressed to."""

    user_id: Text = Field(min_length=1, max_length=64)
    name: Text = Field(default="", max_length=100)


class CirculationCreate(BaseModel):
    """Puts a record or generated document into circulation: 回議 (decision) or 供覧 (reading)."""

    kind: Literal["decision", "reading"] = "decision"
    document_type: Text = Field(min_length=1, max_length=60)  # e.g. "F03", "patient", "contact_plan"
    service: Literal["patients", "contacts", "review", "reports"]
    record_kind: Text = Field(min_length=1, max_length=40)  # the aggregate, e.g. "patient", "document"
    record_id: Text = Field(min_length=1, max_length=64)
    record_version: int = Field(ge=0)
    title: Text = Field(min_length=1, max_length=200)
    readers: list[ReaderCreate] = Field(default=[], max_length=100)  # 供覧 only
    teams: list[Text] = Field(default=[], max_length=20)  # 供覧 only: every member of these districts


class CirculationDecision(BaseModel):
    """Approves (or 代決) the current step as the user saw it; a comment is optional."""

    version: int
    comment: Text = Field(default="", max_length=1000)


class CirculationSendBack(BaseModel):
    """Sends the circulation back to the drafter with the reason."""

    version: int
    comment: Text = Field(min_length=1, max_length=1000)


class CirculationResubmit(BaseModel):
    """Submits a sent-back circulation again, on the record's version now."""

    version: int
    record_version: int | None = Field(default=None, ge=0)
    title: Text | None = Field(default=None, max_length=200)
    comment: Text = Field(default="", max_length=1000)


class CirculationWithdraw(BaseModel):
    """Withdraws a circulation before it is decided."""

    version: int
    comment: Text = Field(default="", max_length=1000)


class StepRead(BaseModel):
    """One step of the route and its decision."""

    role: str
    on_behalf_by: list[str] = []
    decided_by: str = ""
    decided_by_name: str = ""
    decided_at: datetime | None = None
    on_behalf: bool = False


class ActionRead(BaseModel):
    """One entry of a circulation's history."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    actor_id: str
    actor_name: str
    step: int | None
    role: str
    comment: str
    record_version: int


class ReaderRead(BaseModel):
    """A reader of a 供覧 and when they read it (None: not yet)."""

    model_config = ConfigDict(from_attributes=True)

    user_id: str
    name: str
    addressed: bool
    read_at: datetime | None


class CirculationRead(BaseModel):
    """A circulation as a list shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    kind: str
    document_type: str
    service: str
    record_kind: str
    record_id: str
    record_version: int
    title: str
    drafter_id: str
    drafter_name: str
    status: str
    current_step: int | None
    current_role: str
    comment: str
    teams: list[str]
    steps: list[StepRead]
    approved_at: datetime | None
    latest_record_version: int
    changed_since_approval: bool
    changed_fields: list[str]
    created_at: datetime
    updated_at: datetime


class CirculationDetail(CirculationRead):
    """A circulation with its history and readers, as its page shows it."""

    actions: list[ActionRead] = []
    readers: list[ReaderRead] = []


class InboxRead(BaseModel):
    """A user's inbox: waiting for me, sent by me, sent back to me, to read."""

    waiting: list[CirculationRead]
    sent: list[CirculationRead]
    sent_back: list[CirculationRead]
    to_read: list[CirculationRead]
    badge: int  # how many need the user's action: waiting, sent back and to read


class InboxCount(BaseModel):
    """How many items of the user's inbox need them, for the badge every page shows."""

    waiting: int  # 回議 waiting for the user's decision
    sent_back: int  # the user's 回議 sent back to them
    to_read: int  # 供覧 the user has not read
    badge: int  # waiting + sent back: what the header's badge counts


class StampRead(BaseModel):
    """What a form prints in its stamp boxes for a record: approvers' names and dates, or 未決裁."""

    service: str
    record_kind: str
    record_id: str
    circulation_id: uuid.UUID | None = None
    approved: bool = False
    changed_since_approval: bool = False
    boxes: list[StampBox]
