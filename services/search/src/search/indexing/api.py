"""Administration of the index: rebuilding it page by page (`tbms search reindex`)."""

from __future__ import annotations

from fastapi import APIRouter

from search.deps import ReindexServiceDep
from search.indexing.schemas import PatientBatch, ReindexReport

router = APIRouter(prefix="/admin", tags=["検索の管理"])


@router.post("/reindex")
async def reindex(service: ReindexServiceDep, batch: PatientBatch) -> ReindexReport:
    """Indexes one page of patient snapshots (監査の更新 and 患者管理の参照 required)."""
    return await service.reindex_patients(batch)
