"""What the history API returns: a timeline, newest first, readable as it is."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class FieldChangeRead(BaseModel):
    """One field of one saved change."""

    field: str
    label: str
    old: str
    new: str


class HistoryEntryRead(BaseModel):
    """One saved change: who, when, which record, why and what."""

    record_type: str
    record_label: str
    record_id: uuid.UUID
    version: int
    changed_at: datetime
    changed_by: str
    changed_by_name: str
    reason: str | None
    changes: list[FieldChangeRead]


class HistoryRead(BaseModel):
    """A patient's edit history (修正履歴), newest first."""

    items: list[HistoryEntryRead]
