"""HTTP API of the access review (不正・不審アクセスの分析と確認, N21)."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, Response

from identity.access_review.schemas import (
    FindingPage,
    FindingRead,
    ProtectedPersonIn,
    ProtectedPersonRead,
    ReviewIn,
    RuleRead,
    RunReport,
    SummaryRead,
)
from identity.deps import AccessReviewServiceDep

router = APIRouter(prefix="/access-review", tags=["アクセス分析"])


@router.get("/rules")
async def list_rules(service: AccessReviewServiceDep) -> list[RuleRead]:
    """The rules with their Japanese explanations."""
    return service.rules()


@router.post("/run")
async def run_analysis(service: AccessReviewServiceDep) -> RunReport:
    """Analyses the operation history now (it also runs on its own schedule)."""
    return await service.run()


@router.get("/findings")
async def list_findings(
    service: AccessReviewServiceDep,
    since: date | None = Query(None, alias="from"),
    until: date | None = Query(None, alias="to"),
    status: str | None = Query(None, pattern="^(unreviewed|ok|check|guidance)$"),
    rule: str | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=100_000),
) -> FindingPage:
    """The review list, newest day first."""
    return await service.findings(since=since, until=until, status=status, rule=rule, limit=limit, offset=offset)


@router.get("/findings/{finding_id}")
async def get_finding(finding_id: uuid.UUID, service: AccessReviewServiceDep) -> FindingRead:
    """One finding with its evidence and every review decision."""
    return await service.finding(finding_id)


@router.post("/findings/{finding_id}/review")
async def review_finding(finding_id: uuid.UUID, decision: ReviewIn, service: AccessReviewServiceDep) -> FindingRead:
    """Records the auditor's decision: 確認済・問題なし, 要確認 or 指導, with a note."""
    return await service.review(finding_id, decision)


@router.get("/summary")
async def monthly_summary(service: AccessReviewServiceDep, month: date = Query(...)) -> SummaryRead:
    """The findings of the month that contains `month`, per rule and review state."""
    return await service.summary(month)


@router.get("/protected-persons")
async def list_protected(service: AccessReviewServiceDep) -> list[ProtectedPersonRead]:
    """The people whose records nobody should open without a reason."""
    return await service.protected()


@router.post("/protected-persons", status_code=201)
async def protect_person(person: ProtectedPersonIn, service: AccessReviewServiceDep) -> ProtectedPersonRead:
    """Adds a person to the protected list."""
    return await service.protect(person)


@router.delete("/protected-persons/{person_id}", status_code=204)
async def unprotect_person(person_id: str, service: AccessReviewServiceDep) -> Response:
    """Removes a person from the protected list."""
    await service.unprotect(person_id)
    return Response(status_code=204)
