"""HTTP API of patient management."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from patients.deps import PatientRecordServiceDep, PatientServiceDep
from patients.history.schemas import HistoryRead
from patients.patient.schemas import (
    AtRegistrationChange,
    DuplicateFilter,
    DuplicatePage,
    ExclusionCreate,
    PatientChange,
    PatientCreate,
    PatientRead,
    PatientRecordRead,
    ReinstatementCreate,
)

router = APIRouter(prefix="/patients", tags=["患者"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_patient(data: PatientCreate, patients: PatientServiceDep) -> PatientRead:
    """Registers a patient (登録)."""
    return await patients.read_model(await patients.register(data))


@router.get("/{patient_id}")
async def view_patient(patient_id: uuid.UUID, patients: PatientServiceDep) -> PatientRead:
    """One patient's registration data."""
    return await patients.view(patient_id)


@router.get("/{patient_id}/record")
async def view_patient_record(patient_id: uuid.UUID, records: PatientRecordServiceDep) -> PatientRecordRead:
    """Everything the patient page shows in one read: the patient, history, results, care records, alerts."""
    return await records.read(patient_id)


@router.patch("/{patient_id}")
async def correct_patient(patient_id: uuid.UUID, data: PatientChange, patients: PatientServiceDep) -> PatientRead:
    """Corrects a patient's data (修正); 409 when somebody saved first."""
    return await patients.read_model(await patients.correct(patient_id, data))


@router.get("/{patient_id}/history")
async def patient_history(patient_id: uuid.UUID, patients: PatientServiceDep) -> HistoryRead:
    """The patient's edit history (修正履歴), newest first."""
    return HistoryRead(items=await patients.history(patient_id))


@router.post("/duplicates")
async def possible_duplicates(data: DuplicateFilter, patients: PatientServiceDep) -> DuplicatePage:
    """Registered patients who may be the person about to be registered (same reading and birth date, or name)."""
    return DuplicatePage(items=await patients.duplicates(data))


@router.patch("/{patient_id}/at-registration")
async def correct_at_registration(
    patient_id: uuid.UUID, data: AtRegistrationChange, patients: PatientServiceDep
) -> PatientRead:
    """Corrects the facts as at registration (record #1, 履歴修正); 409 when somebody saved first."""
    return await patients.read_model(await patients.correct_at_registration(patient_id, data))


@router.post("/{patient_id}/exclusion")
async def exclude_patient(patient_id: uuid.UUID, data: ExclusionCreate, patients: PatientServiceDep) -> PatientRead:
    """登録除外 with date and reason; the record is kept."""
    return await patients.read_model(await patients.exclude(patient_id, data))


@router.post("/{patient_id}/reinstatement")
async def reinstate_patient(
    patient_id: uuid.UUID, data: ReinstatementCreate, patients: PatientServiceDep
) -> PatientRead:
    """Cancels an exclusion (登録除外の取消)."""
    return await patients.read_model(await patients.reinstate(patient_id, data))
