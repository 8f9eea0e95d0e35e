"""Events of the patients service; each carries the full current snapshot of the patient."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class PatientSnapshot(BaseModel):
    """The patient as the owning service holds it now (event-carried state)."""

    model_config = ConfigDict(frozen=True)

    id: str
    version: int
    registration_no: str
    registered_on: date
    category: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    status: str = "active"
    district: str = ""
    nurse: str = ""
    excluded_on: date | None = None
    updated_at: datetime | None = None


class PatientRegistered(BaseModel):
    """A patient was registered (登録)."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.patient.registered.v1"

    patient: PatientSnapshot


class PatientUpdated(BaseModel):
    """A patient's data changed; the snapshot is the state after the change."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.patient.updated.v1"

    patient: PatientSnapshot
    changed_fields: list[str] = []
