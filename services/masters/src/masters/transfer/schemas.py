"""What the import and export API returns."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RowStatus = Literal["new", "changed", "unchanged", "error"]


class FieldChangeRead(BaseModel):
    """One field a row would change, as staff read it (labels, はい/いいえ, 西暦 dates)."""

    field: str
    label: str
    old: str | int
    new: str | int


class ImportRowRead(BaseModel):
    """One row of the file: what applying it would do, or why it cannot be applied (per field, in Japanese)."""

    line: int
    status: RowStatus
    code: str
    name: str
    changes: list[FieldChangeRead] = Field(default_factory=list)
    errors: dict[str, str] = Field(default_factory=dict)


class ImportCounts(BaseModel):
    """How many rows are new, changed, unchanged and wrong."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    error: int = 0


class ImportPreview(BaseModel):
    """An uploaded file and what each of its rows would change; applied all at once or not at all."""

    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    kind: str
    filename: str
    status: Literal["previewed", "applied"]
    counts: ImportCounts
    rows: list[ImportRowRead]
    created_by: str
    created_at: datetime
    applied_at: datetime | None = None


@dataclass(frozen=True)
class MasterFile:
    """An export: its file name, the sheet's title, the header row and one row of cells per record."""

    filename: str
    title: str
    header: list[str]
    rows: list[list[object]]
