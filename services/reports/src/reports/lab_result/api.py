"""Rebuilding the 菌検査 read model from the patients service's current state (`tbms replay reports`)."""

from __future__ import annotations

from fastapi import APIRouter
from tbms_contracts.patients import BackfillReport, LabResultSnapshotPage

from reports.deps import LabResultBackfillServiceDep

router = APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


@router.post("/lab-results")
async def backfill_lab_results(page: LabResultSnapshotPage, results: LabResultBackfillServiceDep) -> BackfillReport:
    """Stores each test result's snapshot the read model holds in an older version or not at all (監査の更新
    required)."""
    return await results.backfill(page)
