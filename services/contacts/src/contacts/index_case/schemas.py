"""What the index-case API returns."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from contacts.index_case.models import IndexCase


class IndexCaseRead(BaseModel):
    """An index case as the contacts pages show it."""

    model_config = ConfigDict(from_attributes=True)
    patient_id: uuid.UUID
    version: int
    registration_no: str
    name: str
    name_kana: str
    birth_date: str
    district: str
    status: str

    @classmethod
    def of(cls, case: IndexCase) -> IndexCaseRead:
        """The API view of an index case, the birth date as an ISO string."""
        return cls.model_validate(
            {**case.__dict__, "birth_date": case.birth_date.isoformat() if case.birth_date else ""}
        )
