"""HTTP API of test results (菌検査) under a patient."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from patients.deps import LabResultServiceDep
from patients.lab_result.schemas import (
    LabResultBatchCreate,
    LabResultChange,
    LabResultCreate,
    LabResultPage,
    LabResultRead,
)

router = APIRouter(prefix="/patients/{patient_id}/lab-results", tags=["菌検査"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def record_lab_result(
    patient_id: uuid.UUID, data: LabResultCreate, results: LabResultServiceDep
) -> LabResultRead:
    """Records a test result for the patient."""
    return LabResultRead.model_validate(await results.record(patient_id, data))


@router.post("/batch", status_code=status.HTTP_201_CREATED)
async def record_lab_results(
    patient_id: uuid.UUID, data: LabResultBatchCreate, results: LabResultServiceDep
) -> LabResultPage:
    """Records results of one specimen at once (塗抹・培養・核酸増幅法): all stored, or none and 422 per item."""
    return LabResultPage(items=[LabResultRead.model_validate(r) for r in await results.record_all(patient_id, data)])


@router.patch("/{result_id}")
async def correct_lab_result(
    patient_id: uuid.UUID, result_id: uuid.UUID, data: LabResultChange, results: LabResultServiceDep
) -> LabResultRead:
    """Corrects a test result; 409 when somebody saved first."""
    return LabResultRead.model_validate(await results.correct(patient_id, result_id, data))


@router.get("")
async def lab_results(patient_id: uuid.UUID, results: LabResultServiceDep) -> LabResultPage:
    """The patient's results, newest collection first."""
    return LabResultPage(items=[LabResultRead.model_validate(r) for r in await results.timeline(patient_id)])
