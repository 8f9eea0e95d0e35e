"""Retention: a person's registration record deleted from the live system once its retention period after
登録除外 ended (施行規則27条の8第3項, N17). Carries no name or other personal data: every service that holds a copy
(search's index, reports' read models and filed documents, contacts' index-patient copies) deletes what it holds
of this patient; consumers are idempotent (a copy already gone is no error)."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class PatientRecordDeleted(BaseModel):
    """The patient's registration record and every record of theirs were deleted by the retention rule."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.patients.patient.deleted.v1"

    patient_id: str
    registration_no: str
    excluded_on: date
    deleted_on: date
    deletion_id: str  # the deletion record in patients (who and why are there)
