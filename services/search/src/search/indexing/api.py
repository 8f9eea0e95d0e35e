"""Administration of the index: rebuilding it page by page (`tbms search reindex`) and its status."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from search.deps import EngineDep, ReindexServiceDep
from search.indexing.schemas import PatientBatch, ReindexReport
from search.rebuild.service import RebuildService

router = APIRouter(prefix="/admin", tags=["検索の管理"])


async def expire_rebuilds(request: Request, engine: EngineDep) -> None:
    """Discards rebuilds no page came for, committed before the request goes on (a page then gets 409)."""
    async with request.app.state.db.session() as session:
        await RebuildService(session, engine).expire()


ExpiredRebuildsDep = Annotated[None, Depends(expire_rebuilds)]


@router.post("/reindex", response_model_exclude_none=True)
async def reindex(service: ReindexServiceDep, _: ExpiredRebuildsDep, batch: PatientBatch) -> ReindexReport:
    """Indexes one page of patient snapshots (監査の更新 and 患者管理の参照 required)."""
    return await service.reindex_patients(batch)


@router.get("/reindex")
async def rebuild_status(service: ReindexServiceDep, _: ExpiredRebuildsDep) -> dict[str, Any]:
    """The live index's state and the latest rebuild with its progress (監査の参照 required)."""
    return (await service.status()).to_json()
