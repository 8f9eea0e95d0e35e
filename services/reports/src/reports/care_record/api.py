"""Rebuilding the care-record read model from the patients service's current state (`tbms replay reports`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from tbms_contracts.patients import BackfillReport, CareRecordSnapshotPage, VersionPage
from tbms_core.read_models import VERSION_PAGE

from reports.deps import CareRecordBackfillServiceDep

router = APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


@router.post("/care-records")
async def backfill_care_records(page: CareRecordSnapshotPage, records: CareRecordBackfillServiceDep) -> BackfillReport:
    """Stores each care record's snapshot the read model holds in an older version or not at all (監査の更新
    required)."""
    return await records.backfill(page)


@router.get("/care-records")
async def held_versions(
    records: CareRecordBackfillServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """The id and version of every care record the read model holds, page by page in id order (`tbms reconcile`)."""
    return await records.versions(after, limit)
