"""Events of the masters service: every change of a master record carries the record as it now is."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

# Fixed for good: consumers key what they keep by record_id(kind, code).
RECORD_NAMESPACE = uuid.UUID("5d0c8f3e-3b59-4f4e-9a56-7c1e2d7a9b10")


def record_id(kind: str, code: str) -> uuid.UUID:
    """The stable id of the master record `(kind, code)`, the events' aggregate_id."""
    return uuid.uuid5(RECORD_NAMESPACE, f"{kind}:{code}")


class MasterSnapshot(BaseModel):
    """A master record as the masters service holds it after the change (event-carried state)."""

    model_config = ConfigDict(frozen=True)

    kind: str
    code: str
    name: str
    kana: str = ""
    data: dict[str, Any] = {}
    valid_from: date
    valid_to: date | None = None
    active: bool = True  # valid on the day of the change; consumers compare valid_from/valid_to with their day
    version: int
    updated_at: datetime | None = None
    updated_by: str = ""


class MasterChanged(BaseModel):
    """A master record was created, changed, ended or imported; the snapshot is the state after it."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.masters.record.changed.v1"

    kind: str
    code: str
    snapshot: MasterSnapshot
