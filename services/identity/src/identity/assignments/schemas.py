"""What the assignments backfill reads and answers: the listed fields of patients and contacts it needs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PatientAssignmentIn(BaseModel):
    """A patient as `GET /patients` lists it; only who is responsible is kept."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=64)
    version: int
    district: str = Field("", max_length=100)
    nurse: str = Field("", max_length=100)


class ExposureIn(BaseModel):
    """An exposure as `GET /contacts` lists it: the index patient it names."""

    model_config = ConfigDict(extra="ignore")

    index_patient_id: str = Field("", max_length=64)


class ContactAssignmentIn(BaseModel):
    """A contact as `GET /contacts` lists it; its index patients are kept."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=64)
    version: int
    exposures: list[ExposureIn] = []


class AssignmentBatch(BaseModel):
    """One page of the backfill: patients and contacts as their services list them."""

    patients: list[PatientAssignmentIn] = Field(default=[], max_length=1000)
    contacts: list[ContactAssignmentIn] = Field(default=[], max_length=1000)


class AssignmentReport(BaseModel):
    """How many of a page were stored (the rest: a newer version was already held)."""

    received: int
    stored: int
