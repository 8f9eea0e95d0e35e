"""Rebuilding and repairing reports' read models from the patients service's current state (`tbms replay reports`,
`tbms reconcile reports`): one pair of `/admin/backfill/<kind>` routes per kind kept."""

from __future__ import annotations

from tbms_contracts.patients import (
    BoardRecordSnapshotPage,
    CareRecordSnapshotPage,
    FollowupExamSnapshotPage,
    InvestigationSnapshotPage,
    LabResultSnapshotPage,
    PatientSnapshotPage,
)
from tbms_core.read_model_api import add_backfill_routes, backfill_router

from reports.deps import (
    BoardRecordBackfillServiceDep,
    CareRecordBackfillServiceDep,
    FollowupBackfillServiceDep,
    LabResultBackfillServiceDep,
    PatientSummaryServiceDep,
)

router = backfill_router()
add_backfill_routes(router, "patients", "patient", PatientSnapshotPage, PatientSummaryServiceDep)
add_backfill_routes(router, "lab-results", "test result (菌検査)", LabResultSnapshotPage, LabResultBackfillServiceDep)
add_backfill_routes(router, "care-records", "care record", CareRecordSnapshotPage, CareRecordBackfillServiceDep)
add_backfill_routes(
    router,
    "followup-exams",
    "管理検診",
    FollowupExamSnapshotPage,
    FollowupBackfillServiceDep,
    backfill="backfill_exams",
    versions="exam_versions",
)
add_backfill_routes(
    router,
    "investigations",
    "行動調査",
    InvestigationSnapshotPage,
    FollowupBackfillServiceDep,
    backfill="backfill_investigations",
    versions="investigation_versions",
)
add_backfill_routes(router, "board-records", "診査会 record", BoardRecordSnapshotPage, BoardRecordBackfillServiceDep)
