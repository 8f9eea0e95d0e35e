"""HTTP API of index cases."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from tbms_contracts.patients import PatientSnapshotPage
from tbms_core import read_model_api

from contacts.cluster.schemas import ClusterRead
from contacts.deps import ClusterServiceDep, IndexCaseServiceDep
from contacts.index_case.schemas import IndexCaseRead

router = APIRouter(prefix="/index-cases", tags=["発端患者"])
backfill_router = read_model_api.backfill_router()
read_model_api.add_backfill_routes(backfill_router, "patients", "patient", PatientSnapshotPage, IndexCaseServiceDep)


@router.get("/{patient_id}")
async def view_index_case(patient_id: uuid.UUID, service: IndexCaseServiceDep) -> IndexCaseRead:
    """The summary of one index patient (audited as a read)."""
    return IndexCaseRead.of(await service.view(patient_id))


@router.get("/{patient_id}/cluster")
async def cluster(patient_id: uuid.UUID, clusters: ClusterServiceDep) -> ClusterRead:
    """The transmission picture: the index patient, their contacts, contacts who fell ill and were registered as
    patients, and theirs (audited as a read)."""
    return await clusters.around(patient_id)
