"""HTTP API of patient management."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from patients.history.schemas import HistoryRead
from patients.patient.record import PatientRecord, patient_record
from patients.patient.schemas import (
    AtRegistrationChange,
    DuplicatePage,
    DuplicateQuery,
    Exclusion,
    PatientChange,
    PatientCreate,
    PatientPage,
    PatientRead,
    Reinstatement,
)
from patients.patient.service import PatientService

router = APIRouter(prefix="/patients", tags=["患者"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_patient(data: PatientCreate, session: SessionDep, principal: PrincipalDep) -> PatientRead:
    """Registers a patient (登録)."""
    service = PatientService(session, principal)
    return await service.shown(await service.register(data))


@router.get("/{patient_id}")
async def view_patient(patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> PatientRead:
    """One patient's registration data."""
    return await PatientService(session, principal).view(patient_id)


@router.get("/{patient_id}/record")
async def view_patient_record(patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> PatientRecord:
    """Everything the patient page shows in one read: the patient, history, results, care records, alerts."""
    return await patient_record(session, principal, patient_id)


@router.get("")
async def list_patients(
    session: SessionDep,
    principal: PrincipalDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> PatientPage:
    """Patients, newest registration first."""
    items, total = await PatientService(session, principal).page(limit=limit, offset=offset)
    return PatientPage(items=[PatientRead.model_validate(p) for p in items], total=total)


@router.patch("/{patient_id}")
async def correct_patient(
    patient_id: uuid.UUID, data: PatientChange, session: SessionDep, principal: PrincipalDep
) -> PatientRead:
    """Corrects a patient's data (修正); 409 when somebody saved first."""
    service = PatientService(session, principal)
    return await service.shown(await service.correct(patient_id, data))


@router.get("/{patient_id}/history")
async def patient_history(patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> HistoryRead:
    """The patient's edit history (修正履歴), newest first."""
    return HistoryRead(items=await PatientService(session, principal).history(patient_id))


@router.post("/duplicates")
async def possible_duplicates(data: DuplicateQuery, session: SessionDep, principal: PrincipalDep) -> DuplicatePage:
    """Registered patients who may be the person about to be registered (same reading and birth date, or name)."""
    return DuplicatePage(items=await PatientService(session, principal).duplicates(data))


@router.patch("/{patient_id}/at-registration")
async def correct_at_registration(
    patient_id: uuid.UUID, data: AtRegistrationChange, session: SessionDep, principal: PrincipalDep
) -> PatientRead:
    """Corrects the facts as at registration (record #1, 履歴修正); 409 when somebody saved first."""
    service = PatientService(session, principal)
    return await service.shown(await service.correct_at_registration(patient_id, data))


@router.post("/{patient_id}/exclusion")
async def exclude_patient(
    patient_id: uuid.UUID, data: Exclusion, session: SessionDep, principal: PrincipalDep
) -> PatientRead:
    """登録除外 with date and reason; the record is kept."""
    service = PatientService(session, principal)
    return await service.shown(await service.exclude(patient_id, data))


@router.post("/{patient_id}/reinstatement")
async def reinstate_patient(
    patient_id: uuid.UUID, data: Reinstatement, session: SessionDep, principal: PrincipalDep
) -> PatientRead:
    """Cancels an exclusion (登録除外の取消)."""
    service = PatientService(session, principal)
    return await service.shown(await service.reinstate(patient_id, data))
