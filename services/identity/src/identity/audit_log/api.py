"""HTTP API of the operation history (操作履歴)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from tbms_contracts.audit import Operation
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from identity.audit_log.schemas import AuditEventFilter, AuditEventPage, AuditEventRead, ChainVerification
from identity.audit_log.service import AuditLogService
from identity.periods import period_end, period_start

router = APIRouter(prefix="/audit", tags=["操作履歴"])


def audit_filter(
    user: str | None = Query(None, description="user id or username"),
    person_id: str | None = None,
    operation: Operation | None = None,
    service: str | None = Query(None, description="the service that recorded the access"),
    since: date | datetime | None = Query(None, alias="from", description="inclusive; a date is a JST day"),
    until: date | datetime | None = Query(None, alias="to", description="inclusive date, or exclusive time"),
    limit: int = Query(100, ge=1, le=1000),
) -> AuditEventFilter:
    """Reads the search criteria from the query string."""
    return AuditEventFilter(
        user=user,
        person_id=person_id,
        operation=operation,
        service=service,
        since=period_start(since),
        until=period_end(until),
        limit=limit,
    )


@router.get("/events")
async def search_audit_events(
    criteria: Annotated[AuditEventFilter, Depends(audit_filter)], session: SessionDep, principal: PrincipalDep
) -> AuditEventPage:
    """Who did what to whose data, when and from where (R36, N05)."""
    rows = await AuditLogService(session, principal).search(criteria)
    return AuditEventPage(items=[AuditEventRead.model_validate(row) for row in rows])


@router.get("/verify")
async def verify_audit_chain(request: Request, session: SessionDep, principal: PrincipalDep) -> ChainVerification:
    """Checks that no operation history row was altered, removed or inserted (N05)."""
    report = await AuditLogService(session, principal).verify(request.app.state.db)
    return ChainVerification.of(report)
