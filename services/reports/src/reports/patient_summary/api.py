"""Rebuilding the patient read model from the patients service's current state (`tbms replay reports`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from tbms_contracts.patients import BackfillReport, PatientSnapshotPage, VersionPage
from tbms_core.read_models import VERSION_PAGE

from reports.deps import PatientSummaryServiceDep

router = APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


@router.post("/patients")
async def backfill_patients(page: PatientSnapshotPage, summaries: PatientSummaryServiceDep) -> BackfillReport:
    """Stores each snapshot the read model holds in an older version or not at all (監査の更新 required)."""
    return await summaries.backfill(page)


@router.get("/patients")
async def held_versions(
    service: PatientSummaryServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """The id and version of every patient the read model holds, page by page in id order (`tbms reconcile`)."""
    return await service.versions(after, limit)
