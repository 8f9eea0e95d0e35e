"""HTTP API of test results (菌検査) under a patient."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status
from tbms_contracts.patients import LabResultSnapshotPage, VersionPage
from tbms_core.read_models import VERSION_PAGE

from patients.deps import LabResultServiceDep
from patients.lab_result.schemas import (
    LabResultBatchCreate,
    LabResultChange,
    LabResultCreate,
    LabResultPage,
    LabResultRead,
)

router = APIRouter(prefix="/patients/{patient_id}/lab-results", tags=["菌検査"])
snapshot_router = APIRouter(prefix="/admin/snapshots", tags=["読み取りモデルの再構築"])
SNAPSHOT_PAGE = 500


@snapshot_router.get("/lab-results")
async def lab_result_snapshots(
    results: LabResultServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=SNAPSHOT_PAGE)] = SNAPSHOT_PAGE,
    result_id: Annotated[list[uuid.UUID], Query(alias="id", max_length=SNAPSHOT_PAGE)] = [],  # noqa: B006
) -> LabResultSnapshotPage:
    """Every test result's current snapshot, page by page in id order, for `tbms replay reports`; or those of the
    results named by `id`, for `tbms reconcile` (監査の更新 and 患者管理の参照 required)."""
    if result_id:
        return LabResultSnapshotPage(items=await results.snapshots_of(result_id))
    items = await results.snapshots(after, limit)
    return LabResultSnapshotPage(items=items, next_after=items[-1].id if len(items) == limit else None)


@snapshot_router.get("/lab-results/versions")
async def lab_result_versions(
    results: LabResultServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """Every test result's id and current version, page by page in id order, for `tbms reconcile` (監査の更新 and
    患者管理の参照 required)."""
    return await results.versions(after, limit)


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
