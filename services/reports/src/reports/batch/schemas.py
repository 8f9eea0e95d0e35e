"""What the batch API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field
from tbms_core.jp.fields import OptionalDate, Text

if TYPE_CHECKING:
    from reports.batch.models import PrintBatch


class PrintBatchCreate(BaseModel):
    """Print the forms of a genre for chosen records: patients from a list (患者管理), every case of a 診査会
    session (診査会), or the contacts with a screening appointment on a day, at a place or anywhere (接触者健診)."""

    genre: str = Field(examples=["患者管理"])
    patient_ids: list[uuid.UUID] = Field(default_factory=list, max_length=1000)
    session_id: uuid.UUID | None = None  # 診査会: the session whose cases print, in agenda order
    day: OptionalDate = None  # 接触者健診: the screening day (appointments on it)
    place: Text = Field(default="", max_length=200)  # 接触者健診: the screening place; every place if empty
    forms: list[str] = Field(default_factory=list, max_length=30)  # some forms of the genre; all of them if empty
    on: OptionalDate = None  # the day printed for (template versions in force); today if none
    title: Text = Field(default="", max_length=200)


class PrintBatchRead(BaseModel):
    """A batch's progress and, once done, its merged PDF."""

    id: uuid.UUID
    genre: str
    title: str
    printed_for: date
    status: str
    status_label: str
    total: int
    done: int
    percent: int
    pages: int
    size: int
    sha256: str
    skipped: list[dict[str, str]]
    selection: dict[str, str]
    error: str
    requested_by_name: str
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, batch: PrintBatch) -> PrintBatchRead:
        """The API view of a batch."""
        labels = {"queued": "待機中", "running": "印刷中", "done": "完了", "failed": "失敗"}
        return cls(
            id=batch.id,
            genre=batch.genre,
            title=batch.title,
            printed_for=batch.printed_for,
            status=batch.status,
            status_label=labels.get(batch.status, batch.status),
            total=batch.total,
            done=batch.done,
            percent=100 * batch.done // batch.total if batch.total else 100,
            pages=batch.pages,
            size=batch.size,
            sha256=batch.sha256,
            skipped=batch.skipped,
            selection=batch.selection or {},
            error=batch.error,
            requested_by_name=batch.requested_by_name,
            created_at=batch.created_at,
            finished_at=batch.finished_at,
        )
