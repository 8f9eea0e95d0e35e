"""HTTP API of test results (菌検査) under a patient."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from patients.lab_result.schemas import LabResultChange, LabResultCreate, LabResultPage, LabResultRead
from patients.lab_result.service import LabResultService

router = APIRouter(prefix="/patients/{patient_id}/lab-results", tags=["菌検査"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def record_lab_result(
    patient_id: uuid.UUID, data: LabResultCreate, session: SessionDep, principal: PrincipalDep
) -> LabResultRead:
    """Records a test result for the patient."""
    return LabResultRead.model_validate(await LabResultService(session, principal).record(patient_id, data))


@router.patch("/{result_id}")
async def correct_lab_result(
    patient_id: uuid.UUID, result_id: uuid.UUID, data: LabResultChange, session: SessionDep, principal: PrincipalDep
) -> LabResultRead:
    """Corrects a test result; 409 when somebody saved first."""
    result = await LabResultService(session, principal).correct(patient_id, result_id, data)
    return LabResultRead.model_validate(result)


@router.get("")
async def lab_results(patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> LabResultPage:
    """The patient's results, newest collection first."""
    items = await LabResultService(session, principal).timeline(patient_id)
    return LabResultPage(items=[LabResultRead.model_validate(r) for r in items])
