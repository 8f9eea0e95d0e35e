"""HTTP API of index cases."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from tbms_contracts.patients import BackfillReport, PatientSnapshotPage, VersionPage
from tbms_core.read_models import VERSION_PAGE

from contacts.cluster.schemas import ClusterRead
from contacts.deps import ClusterServiceDep, IndexCaseServiceDep
from contacts.index_case.schemas import IndexCaseRead

router = APIRouter(prefix="/index-cases", tags=["発端患者"])
backfill_router = APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


@backfill_router.post("/patients")
async def backfill_patients(page: PatientSnapshotPage, service: IndexCaseServiceDep) -> BackfillReport:
    """Stores each patient snapshot the index cases hold in an older version or not at all (`tbms replay
    contacts`)."""
    return await service.backfill(page)


@backfill_router.get("/patients")
async def held_versions(
    service: IndexCaseServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """The id and version of every patient the read model holds, page by page in id order (`tbms reconcile`)."""
    return await service.versions(after, limit)


@router.get("/{patient_id}")
async def view_index_case(patient_id: uuid.UUID, service: IndexCaseServiceDep) -> IndexCaseRead:
    """The summary of one index patient (audited as a read)."""
    return IndexCaseRead.of(await service.view(patient_id))


@router.get("/{patient_id}/cluster")
async def cluster(patient_id: uuid.UUID, clusters: ClusterServiceDep) -> ClusterRead:
    """The transmission picture: the index patient, their contacts, contacts who fell ill and were registered as
    patients, and theirs (audited as a read)."""
    return await clusters.around(patient_id)
