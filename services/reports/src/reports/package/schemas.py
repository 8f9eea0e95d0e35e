"""What the document package API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_DOCUMENTS = 50


class PackageCreate(BaseModel):
    """The patient and which of their filed documents go into the encrypted file."""

    model_config = ConfigDict(extra="forbid")

    patient_id: uuid.UUID
    document_ids: list[uuid.UUID] = Field(max_length=MAX_DOCUMENTS)

    @field_validator("document_ids")
    @classmethod
    def _some(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if not value:
            raise ValueError("暗号化ファイルに入れる帳票・資料を1つ以上選んでください。")
        return list(dict.fromkeys(value))


class PackageRead(BaseModel):
    """A package made before: what it holds and its checksum (never its key)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    document_ids: list[uuid.UUID]
    filename: str
    sha256: str
    size: int
    made_by: str
    made_by_name: str
    made_at: datetime


class PackageMade(PackageRead):
    """A package just made, with its key: shown to the user this once and kept nowhere."""

    password: str
