"""What the to-do API reads and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import FlexibleDate, Text

Due = Literal["overdue", "today", "week", "all"]
Scope = Literal["mine", "team", "all"]


class TodoRead(BaseModel):
    """One to-do as a list shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    version: int
    key: str
    kind: str
    rule: str
    what: str
    due_on: date
    severity: str
    nurse: str
    team: str
    service: str
    aggregate: str
    record_id: str
    record_label: str
    status: str
    snoozed_until: date | None
    assignee_id: str
    assignee_name: str
    reason: str
    closed_at: datetime | None


class TodoFilter(BaseModel):
    """Which to-dos to list: mine, a team's (default: my own district) or all I may see, by due date."""

    scope: Scope = "mine"
    due: Due = "all"
    team: str | None = None
    limit: int = Field(default=100, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


class TodoPage(BaseModel):
    """A page of to-dos with the total."""

    items: list[TodoRead]
    total: int


class CountRead(BaseModel):
    """Open to-dos: overdue, due today, due within the week, all."""

    overdue: int
    today: int
    week: int
    open: int


class TeamCountRead(BaseModel):
    """A team's open to-dos: overdue, due today, due within the week, all."""

    team: str
    overdue: int
    today: int
    week: int
    open: int


class TodoDone(BaseModel):
    """Marks a to-do done (it stays done until its deadline's due date changes)."""

    version: int


class TodoSnooze(BaseModel):
    """Hides a to-do until a date."""

    version: int
    until: FlexibleDate


class TodoReassign(BaseModel):
    """Gives a to-do to another user."""

    version: int
    user_id: Text = Field(min_length=1, max_length=64)
    name: Text = Field(default="", max_length=100)


class TodoDismiss(BaseModel):
    """Drops a to-do that needs no action, with the reason."""

    version: int
    reason: Text = Field(min_length=1, max_length=500)
