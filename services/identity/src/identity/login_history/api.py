"""HTTP API of the login history (ログイン履歴)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from tbms_contracts.labels import LOGIN_EVENT_LABELS
from tbms_core.csv_export import MAX_EXPORT_ROWS, CsvFormatDep, csv_response, jst, within_limit

from identity.deps import LoginHistoryServiceDep
from identity.login_history.schemas import LastLogin, LoginEventFilter, LoginEventPage, LoginEventRead
from identity.periods import period_end, period_start

router = APIRouter(prefix="/logins", tags=["ログイン履歴"])


def login_filter(
    user: str | None = Query(None, description="user id or username"),
    type: str | None = Query(None, description="Keycloak event type: LOGIN, LOGIN_ERROR, LOGOUT …"),
    since: date | datetime | None = Query(None, alias="from", description="inclusive; a date is a JST day"),
    until: date | datetime | None = Query(None, alias="to", description="inclusive date, or exclusive time"),
    limit: int = Query(100, ge=1, le=1000),
) -> LoginEventFilter:
    """Reads the search criteria from the query string."""
    return LoginEventFilter(
        user=user,
        type=type.upper() if type else None,
        since=period_start(since),
        until=period_end(until),
        limit=limit,
    )


@router.get("/me/last")
async def my_last_login(service: LoginHistoryServiceDep) -> LastLogin:
    """The caller's previous successful login and last logout, for the home page (N04)."""
    return await service.last_of_mine()


LOGIN_CSV_HEADER = ("日時（日本時間）", "種別", "ユーザID", "利用者番号", "端末IPアドレス", "接続元", "エラー")


@router.get("/export.csv", response_class=Response)
async def export_logins(
    criteria: Annotated[LoginEventFilter, Depends(login_filter)], written: CsvFormatDep, service: LoginHistoryServiceDep
) -> Response:
    """The login history as CSV for Excel, same filters as the list; more than 100,000 rows are refused, never cut
    (R36)."""
    criteria = criteria.model_copy(update={"limit": MAX_EXPORT_ROWS + 1})
    rows = within_limit(list(await service.search(criteria, export=True)), MAX_EXPORT_ROWS, "期間や利用者・種別")
    lines = (
        (jst(r.time), LOGIN_EVENT_LABELS.get(r.type, r.type), r.username, r.user_id, r.ip_address, r.client_id, r.error)
        for r in rows
    )
    return csv_response("ログイン履歴.csv", LOGIN_CSV_HEADER, lines, written=written)


@router.get("")
async def search_logins(
    criteria: Annotated[LoginEventFilter, Depends(login_filter)], service: LoginHistoryServiceDep
) -> LoginEventPage:
    """Logins, failed logins and logouts of every user (R36)."""
    rows = await service.search(criteria)
    return LoginEventPage(items=[LoginEventRead.model_validate(row) for row in rows])
