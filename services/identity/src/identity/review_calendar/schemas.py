"""What the review calendar API reads and answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import Text

STATUS_LABELS = {"done": "実施済", "overdue": "期限超過", "due": "実施待ち", "upcoming": "予定"}


class CalendarLine(BaseModel):
    """One review of the calendar with its state and, when done, who did it and when."""

    kind: str
    kind_label: str
    period: str
    label: str
    starts_on: date
    ends_on: date
    due_on: date
    why: str
    status: Literal["done", "overdue", "due", "upcoming"]
    status_label: str
    reviewer: str | None = None
    reviewed_at: datetime | None = None
    note: str = ""


class CalendarRead(BaseModel):
    """The review calendar: every review listed, and how many are overdue or waiting."""

    today: date
    items: list[CalendarLine]
    overdue: int
    due: int


class ReviewDoneIn(BaseModel):
    """A review the reviewer records as done, with what they found."""

    model_config = ConfigDict(extra="forbid")

    note: Text = Field(default="", max_length=2000)
