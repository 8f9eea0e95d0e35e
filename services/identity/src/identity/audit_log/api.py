"""HTTP API of the operation history (操作履歴)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from tbms_contracts.audit import Operation
from tbms_core.csv_export import MAX_EXPORT_ROWS, CsvFormatDep, csv_response, jst, within_limit

from identity.audit_log.disclosure import render_html
from identity.audit_log.schemas import (
    AuditEventFilter,
    AuditEventPage,
    AuditEventRow,
    ChainVerification,
    DisclosureReport,
)
from identity.csv_export import operation_label
from identity.deps import AuditLogServiceDep
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
    criteria: Annotated[AuditEventFilter, Depends(audit_filter)], service: AuditLogServiceDep
) -> AuditEventPage:
    """Who did what to whose data, when and from where (R36, N05)."""
    return AuditEventPage(items=await service.search(criteria))


AUDIT_CSV_HEADER = (
    "連番",
    "日時（日本時間）",
    "利用者番号",
    "ユーザID",
    "端末IPアドレス",
    "操作",
    "結果",
    "対象者ID",
    "記録種別",
    "記録ID",
    "検索条件",
    "詳細",
    "記録元",
)


def csv_row(r: AuditEventRow) -> tuple[object, ...]:
    """One CSV line of the operation history."""
    return (
        r.seq,
        jst(r.occurred_at),
        r.user_id,
        r.username,
        r.client_ip,
        operation_label(r.operation),
        r.result,
        r.person_id,
        r.record_type,
        r.record_id,
        r.query,
        r.detail,
        r.service,
    )


@router.get("/events/export.csv", response_class=Response)
async def export_audit_events(
    criteria: Annotated[AuditEventFilter, Depends(audit_filter)], written: CsvFormatDep, service: AuditLogServiceDep
) -> Response:
    """The operation history as CSV for Excel, same filters as the list; more than 100,000 rows are refused, never cut
    (R36, N05)."""
    criteria = criteria.model_copy(update={"limit": MAX_EXPORT_ROWS + 1})
    rows = within_limit(list(await service.export(criteria)), MAX_EXPORT_ROWS, "期間や利用者・操作")
    return csv_response("操作履歴.csv", AUDIT_CSV_HEADER, (csv_row(row) for row in rows), written=written)


@router.get("/disclosure/{person_id}", response_model=DisclosureReport)
async def disclose_accesses(
    person_id: str, service: AuditLogServiceDep, format: str = Query("json", pattern="^(json|html)$")
) -> DisclosureReport | HTMLResponse:
    """Who accessed this person's data, per staff member (本人開示); `?format=html` for a printable page."""
    report = await service.disclose(person_id, printed=format == "html")
    return HTMLResponse(render_html(report)) if format == "html" else report


@router.get("/verify")
async def verify_audit_chain(request: Request, service: AuditLogServiceDep) -> ChainVerification:
    """Checks that no operation history row was altered, removed or inserted (N05)."""
    report = await service.verify(request.app.state.db, request.app.state.anchors)
    return ChainVerification.of(report)
