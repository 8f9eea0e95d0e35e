"""HTTP API of the login history (ログイン履歴)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from tbms_contracts.labels import LOGIN_EVENT_LABELS
from tbms_core.auth import PrincipalDep
from tbms_core.csv_export import MAX_EXPORT_ROWS, csv_response, jst
from tbms_core.db import SessionDep

from identity.login_history.schemas import LastLogin, LoginEventFilter, LoginEventPage, LoginEventRead
from identity.login_history.service import LoginHistoryService
from identity.login_history.sync import LoginSync
from identity.periods import period_end, period_start

router = APIRouter(prefix="/logins", tags=["ログイン履歴"])


def get_login_sync(request: Request) -> LoginSync:
    """The service's Keycloak event copier."""
    return request.app.state.login_sync


LoginSyncDep = Annotated[LoginSync, Depends(get_login_sync)]


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
async def my_last_login(session: SessionDep, principal: PrincipalDep, sync: LoginSyncDep) -> LastLogin:
    """The caller's previous successful login and last logout, for the home page (N04)."""
    return await LoginHistoryService(session, principal, sync).last_of_mine()


LOGIN_CSV_HEADER = ("日時（日本時間）", "種別", "ユーザID", "利用者番号", "端末IPアドレス", "接続元", "エラー")


@router.get("/export.csv", response_class=Response)
async def export_logins(
    criteria: Annotated[LoginEventFilter, Depends(login_filter)],
    session: SessionDep,
    principal: PrincipalDep,
    sync: LoginSyncDep,
) -> Response:
    """The login history as CSV for Excel, same filters as the list, up to 100,000 rows (R36)."""
    criteria = criteria.model_copy(update={"limit": MAX_EXPORT_ROWS})
    rows = await LoginHistoryService(session, principal, sync).search(criteria, export=True)
    lines = (
        (jst(r.time), LOGIN_EVENT_LABELS.get(r.type, r.type), r.username, r.user_id, r.ip_address, r.client_id, r.error)
        for r in rows
    )
    return csv_response("ログイン履歴.csv", LOGIN_CSV_HEADER, lines)


@router.get("")
async def search_logins(
    criteria: Annotated[LoginEventFilter, Depends(login_filter)],
    session: SessionDep,
    principal: PrincipalDep,
    sync: LoginSyncDep,
) -> LoginEventPage:
    """Logins, failed logins and logouts of every user (R36)."""
    rows = await LoginHistoryService(session, principal, sync).search(criteria)
    return LoginEventPage(items=[LoginEventRead.model_validate(row) for row in rows])
