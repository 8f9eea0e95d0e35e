"""Administration of the index: rebuilding it page by page (`tbms search reindex`)."""

from __future__ import annotations

from fastapi import APIRouter
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from search.deps import EngineDep
from search.indexing.reindex import ReindexService
from search.query.schemas import PatientBatch, ReindexReport

router = APIRouter(prefix="/admin", tags=["検索の管理"])


@router.post("/reindex")
async def reindex(
    session: SessionDep, principal: PrincipalDep, engine: EngineDep, batch: PatientBatch
) -> ReindexReport:
    """Indexes one page of patient snapshots (監査の更新 and 患者管理の参照 required)."""
    return await ReindexService(session, principal, engine).reindex_patients(batch)
