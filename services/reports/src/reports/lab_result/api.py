"""Rebuilding the 菌検査 read model from the patients service's current state (`tbms replay reports`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from tbms_contracts.patients import BackfillReport, LabResultSnapshotPage, VersionPage
from tbms_core.read_models import VERSION_PAGE

from reports.deps import LabResultBackfillServiceDep

router = APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


@router.post("/lab-results")
async def backfill_lab_results(page: LabResultSnapshotPage, results: LabResultBackfillServiceDep) -> BackfillReport:
    """Stores each test result's snapshot the read model holds in an older version or not at all (監査の更新
    required)."""
    return await results.backfill(page)


@router.get("/lab-results")
async def held_versions(
    results: LabResultBackfillServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """The id and version of every test result the read model holds, page by page in id order (`tbms reconcile`)."""
    return await results.versions(after, limit)
