"""What the 勧告 API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field
from tbms_core.jp.fields import FlexibleDate, OptionalDate, Text

from contacts.exam.schemas import ExamCode


class Delivery(StrEnum):
    """How the 勧告書 reached the contact."""

    HAND = "hand"  # 手渡し
    MAIL = "mail"  # 郵送
    OTHER = "other"  # その他


DELIVERY_LABELS = {Delivery.HAND: "手渡し", Delivery.MAIL: "郵送", Delivery.OTHER: "その他"}


class RecommendationCreate(BaseModel):
    """A 勧告 as entered."""

    issued_on: FlexibleDate
    delivery: Delivery
    delivery_note: Text = Field(default="", max_length=100)
    exams: list[ExamCode] = Field(default_factory=list, max_length=5)  # codes of the コード表's 検査の種類
    deadline_on: FlexibleDate
    note: Text = Field(default="", max_length=2000)


class RecommendationUpdate(BaseModel):
    """The fields of a 勧告 a correction names; absent ones are kept."""

    issued_on: OptionalDate = None
    delivery: Delivery | None = None
    delivery_note: Text | None = Field(default=None, max_length=100)
    exams: list[ExamCode] | None = Field(default=None, max_length=5)
    deadline_on: OptionalDate = None
    note: Text | None = Field(default=None, max_length=2000)


class RecommendationChange(BaseModel):
    """A correction of a 勧告, based on the version the user saw."""

    version: int = Field(ge=1)
    changes: RecommendationUpdate
    reason: Text = Field(default="", max_length=500)


class RecommendationCancel(BaseModel):
    """The 取消 of a 勧告 (issued by mistake, no longer needed): the day, why, and the version the user saw."""

    version: int = Field(ge=1)
    reason: Text = Field(min_length=1, max_length=300)
    cancelled_on: OptionalDate = None  # today when not given


class RecommendationRead(BaseModel):
    """A 勧告 as the API shows it, with its Japanese labels."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    contact_id: uuid.UUID
    version: int
    issued_on: date
    delivery: str
    delivery_label: str = ""
    delivery_note: str
    exams: list[str]
    exam_labels: list[str] = []
    deadline_on: date
    note: str
    status: str = "issued"  # issued, cancelled (取消: the row stays, marked)
    cancelled_on: date | None = None
    cancelled_at: datetime | None = None
    cancelled_by_name: str = ""
    cancel_reason: str = ""
