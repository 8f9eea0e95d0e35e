"""Rebuilding the patient read model from the patients service's current state (`tbms replay reports`)."""

from __future__ import annotations

from fastapi import APIRouter
from tbms_contracts.patients import BackfillReport, PatientSnapshotPage

from reports.deps import PatientSummaryServiceDep

router = APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


@router.post("/patients")
async def backfill_patients(page: PatientSnapshotPage, summaries: PatientSummaryServiceDep) -> BackfillReport:
    """Stores each snapshot the read model holds in an older version or not at all (監査の更新 required)."""
    return await summaries.backfill(page)
