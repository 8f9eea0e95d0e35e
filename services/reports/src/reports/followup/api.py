"""Rebuilding the 管理検診 and 行動調査 of the care-record read model from the patients service's current state
(`tbms replay reports`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from tbms_contracts.patients import BackfillReport, FollowupExamSnapshotPage, InvestigationSnapshotPage, VersionPage
from tbms_core.read_models import VERSION_PAGE

from reports.deps import FollowupBackfillServiceDep

router = APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


@router.post("/followup-exams")
async def backfill_followup_exams(
    page: FollowupExamSnapshotPage, followup: FollowupBackfillServiceDep
) -> BackfillReport:
    """Stores each 管理検診's snapshot the read model holds in an older version or not at all (監査の更新 required)."""
    return await followup.backfill_exams(page)


@router.get("/followup-exams")
async def held_exam_versions(
    followup: FollowupBackfillServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """The id and version of every 管理検診 the read model holds, page by page in id order (`tbms reconcile`)."""
    return await followup.exam_versions(after, limit)


@router.post("/investigations")
async def backfill_investigations(
    page: InvestigationSnapshotPage, followup: FollowupBackfillServiceDep
) -> BackfillReport:
    """Stores each 行動調査's snapshot the read model holds in an older version or not at all (監査の更新 required)."""
    return await followup.backfill_investigations(page)


@router.get("/investigations")
async def held_investigation_versions(
    followup: FollowupBackfillServiceDep,
    after: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
) -> VersionPage:
    """The id and version of every 行動調査 the read model holds, page by page in id order (`tbms reconcile`)."""
    return await followup.investigation_versions(after, limit)
