"""HTTP API of the 行動調査 (積極的疫学調査): the interview, the infectious period, the delays and the contact
candidates (to be registered as contacts in the contacts service)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from tbms_contracts.patients import InvestigationSnapshotPage, VersionPage
from tbms_core.read_models import VERSION_PAGE

from patients.deps import InvestigationServiceDep
from patients.investigation.schemas import CandidateRead, InvestigationRead, InvestigationSave

router = APIRouter(tags=["行動調査"])
snapshot_router = APIRouter(prefix="/admin/snapshots", tags=["読み取りモデルの再構築"])
PATIENT = "/patients/{patient_id}/investigation"
SNAPSHOT_PAGE = 500


@snapshot_router.get("/investigations")
async def investigation_snapshots(
    investigations: InvestigationServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=SNAPSHOT_PAGE)] = SNAPSHOT_PAGE,
    investigation_id: Annotated[list[uuid.UUID], Query(alias="id", max_length=SNAPSHOT_PAGE)] = [],  # noqa: B006
) -> InvestigationSnapshotPage:
    """Every 行動調査's current snapshot, page by page in id order, for `tbms replay reports`; or those of the
    investigations named by `id`, for `tbms reconcile` (監査の更新 and 患者管理の参照 required)."""
    if investigation_id:
        return InvestigationSnapshotPage(items=await investigations.snapshots_of(investigation_id))
    items = await investigations.snapshots(after, limit)
    return InvestigationSnapshotPage(items=items, next_after=items[-1].id if len(items) == limit else None)


@snapshot_router.get("/investigations/versions")
async def investigation_versions(
    investigations: InvestigationServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """Every 行動調査's id and current version, page by page in id order, for `tbms reconcile` (監査の更新 and
    患者管理の参照 required)."""
    return await investigations.versions(after, limit)


async def may_record(patient_id: uuid.UUID, investigations: InvestigationServiceDep) -> None:
    """Refuses (403) or misses the patient (404) before the body is validated."""
    await investigations.patient_to_record_for(patient_id)


@router.get(PATIENT)
async def view_investigation(patient_id: uuid.UUID, investigations: InvestigationServiceDep) -> InvestigationRead:
    """The investigation with the computed infectious period (and its rule), the delays and the candidates."""
    return await investigations.view(patient_id)


@router.put(PATIENT, dependencies=[Depends(may_record)])
async def save_investigation(
    patient_id: uuid.UUID, data: InvestigationSave, investigations: InvestigationServiceDep
) -> InvestigationRead:
    """Records or corrects the investigation (the version the user saw; 409 when somebody saved first)."""
    return await investigations.save(patient_id, data)


@router.get(f"{PATIENT}/candidates")
async def contact_candidates(patient_id: uuid.UUID, investigations: InvestigationServiceDep) -> list[CandidateRead]:
    """The contact candidates from the interview with their exposure inside the infectious period."""
    return (await investigations.view(patient_id)).candidates
