"""The pages read models are rebuilt and reconciled from, one pair per kind of record patients owns:
`GET /admin/snapshots/<kind>` (every record's current snapshot as its newest event carries it, page by page in id
order, for `tbms replay`; or the records named by `id` that exist, for `tbms reconcile`) and
`GET /admin/snapshots/<kind>/versions` (every record's id and current version in id order, for `tbms reconcile`).
Each kind's service refuses callers without 監査の更新 and 患者管理の参照, and records what it hands out (N05).

The module evaluates its annotations at definition time (no `from __future__ import annotations`): each route's
service and page types are the kind's own, known only inside the factory, so OpenAPI shows them.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from tbms_contracts.patients import (
    BoardRecordSnapshotPage,
    CareRecordSnapshotPage,
    FollowupExamSnapshotPage,
    InvestigationSnapshotPage,
    LabResultSnapshotPage,
    PatientSnapshotPage,
    VersionPage,
)
from tbms_core.read_models import VERSION_PAGE

from patients.deps import (
    BoardServiceDep,
    CareSnapshotServiceDep,
    FollowupServiceDep,
    InvestigationServiceDep,
    LabResultServiceDep,
    PatientServiceDep,
)

router = APIRouter(prefix="/admin/snapshots", tags=["読み取りモデルの再構築"])
SNAPSHOT_PAGE = 500  # snapshots per page (a patient's whole card is larger: fewer)
PATIENT_PAGE = 200


def _routes(kind: str, what: str, service_dep: Any, page_type: Any, page_size: int = SNAPSHOT_PAGE) -> None:
    """The two routes of one kind; `what` names its records in the OpenAPI descriptions."""

    async def snapshots(
        service: service_dep,  # type: ignore[valid-type]
        after: uuid.UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=page_size)] = page_size,
        named: Annotated[list[uuid.UUID], Query(alias="id", max_length=page_size)] = [],  # noqa: B006
    ) -> page_type:  # type: ignore[valid-type]
        if named:
            return page_type(items=await service.snapshots_of(named))
        items = await service.snapshots(after, limit)
        return page_type(items=items, next_after=items[-1].id if len(items) == limit else None)

    async def versions(
        service: service_dep,  # type: ignore[valid-type]
        after: uuid.UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
    ) -> VersionPage:
        return await service.versions(after, limit)

    name = kind.replace("-", "_")
    router.add_api_route(
        f"/{kind}",
        snapshots,
        methods=["GET"],
        name=f"{name}_snapshots",
        description=f"Every {what}'s current snapshot, page by page in id order, for `tbms replay`; or those named by"
        " `id`, for `tbms reconcile` (監査の更新 and 患者管理の参照 required).",
    )
    router.add_api_route(
        f"/{kind}/versions",
        versions,
        methods=["GET"],
        name=f"{name}_versions",
        description=f"Every {what}'s id and current version, page by page in id order, for `tbms reconcile` (監査の更新"
        " and 患者管理の参照 required).",
    )


_routes("patients", "patient", PatientServiceDep, PatientSnapshotPage, PATIENT_PAGE)
_routes("lab-results", "test result (菌検査)", LabResultServiceDep, LabResultSnapshotPage)
_routes(
    "care-records",
    "care record (treatments, stays, transfers, notes, 公費負担, DOTS)",
    CareSnapshotServiceDep,
    CareRecordSnapshotPage,
)
_routes("followup-exams", "管理検診", FollowupServiceDep, FollowupExamSnapshotPage)
_routes("investigations", "行動調査", InvestigationServiceDep, InvestigationSnapshotPage)
_routes("board-records", "診査会 record (sessions, cases, 患者票, 勧告)", BoardServiceDep, BoardRecordSnapshotPage)
