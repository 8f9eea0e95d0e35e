"""What the history API returns: a timeline, newest first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class HistoryEntryRead(BaseModel):
    """One saved change: who, when, which record, why and what (`{field: [old, new]}`)."""

    model_config = ConfigDict(from_attributes=True)

    record_type: str
    record_id: uuid.UUID
    version: int
    changed_at: datetime
    changed_by: str
    changed_by_name: str
    reason: str
    changes: dict[str, list[Any]]


class HistoryRead(BaseModel):
    """A contact's edit history (修正履歴), newest first."""

    items: list[HistoryEntryRead]
