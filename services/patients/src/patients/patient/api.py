"""HTTP API of patient management."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from patients.patient.schemas import PatientCreate, PatientPage, PatientRead
from patients.patient.service import PatientService

router = APIRouter(prefix="/patients", tags=["患者"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def register_patient(data: PatientCreate, session: SessionDep, principal: PrincipalDep) -> PatientRead:
    """Registers a patient (登録)."""
    patient = await PatientService(session, principal).register(data)
    return PatientRead.model_validate(patient)


@router.get("/{patient_id}")
async def view_patient(patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> PatientRead:
    """One patient's registration data."""
    return PatientRead.model_validate(await PatientService(session, principal).view(patient_id))


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
