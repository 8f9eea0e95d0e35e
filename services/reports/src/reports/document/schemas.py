"""What the document API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class DocumentCreate(BaseModel):
    """A request to print one form about one patient."""

    form: str = Field(min_length=1, max_length=20, examples=["F03"])
    patient_id: uuid.UUID


class DocumentRead(BaseModel):
    """A stored document's metadata (never its content)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    title: str
    patient_id: uuid.UUID
    object_key: str
    version_id: str | None
    sha256: str
    size: int
    content_type: str
    template_version: str
    created_by: str
    created_by_name: str
    created_at: datetime


class DocumentPage(BaseModel):
    """One page of a patient's documents, newest first."""

    items: list[DocumentRead]
    total: int
