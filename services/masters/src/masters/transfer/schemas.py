"""What the import and export API returns."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from masters.master.schemas import MasterRow, MasterRowCheck


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
    sha256: str  # of the file as uploaded, which is kept (GET /masters/imports/{id}/file)
    status: Literal["previewed", "applied"]
    counts: ImportCounts
    rows: list[MasterRowCheck]
    created_by: str
    created_at: datetime
    applied_at: datetime | None = None


class StoredImportRow(MasterRowCheck):
    """A preview row as kept with the import: also the row as read from the file and the version compared."""

    version: int | None = None  # the record's version the preview compared with; None: no such record then
    input: MasterRow


@dataclass(frozen=True)
class MasterFile:
    """An export: its file name, the sheet's title, the header row and one row of cells per record."""

    filename: str
    title: str
    header: list[str]
    rows: list[list[object]]
