"""ログイン履歴 and 操作履歴 (R36, N05): filters, CSV export relayed from identity, 本人開示 and 改ざん検査."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import httpx
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response
from tbms_contracts.audit import Operation
from tbms_contracts.labels import LOGIN_EVENT_LABELS, OPERATION_LABELS
from tbms_core import clock, csv_export
from tbms_core.auth import Access, Area

from gateway.clients.search import SearchClient
from gateway.pages.admin import usage as usage_stats
from gateway.pages.admin.entry_forms import DATE_HINT, HistoryFilter
from gateway.pages.admin.view import (
    OPERATIONS_KINDS,
    PROBLEMS,
    RECORD_TYPES,
    RESULTS,
    SERVICES,
    operations_details,
)
from gateway.web.deps import IdentityDep, MastersDep, ReportsDep, SearchDep, require_access
from gateway.web.downloads import CsvNotInCp932, csv_format, relay
from gateway.web.errors import PageError
from gateway.web.templating import render

router = APIRouter(tags=["ログイン履歴・操作履歴"])
CAN_READ_AUDIT = [Depends(require_access(Area.AUDIT, Access.READ))]
LOGIN_CSV_IP_COLUMN = 4  # 端末IPアドレス in identity's login CSV
LIMITS = ("100", "500", "1000")


def _login_filter(request: Request) -> HistoryFilter:
    found = HistoryFilter.read(request.query_params, ("user", "type", "ip"), rename={})
    if found.params.get("type") not in LOGIN_EVENT_LABELS:
        found.params.pop("type", None)
    found.read_network("ip")
    if found.network is not None:
        found.params["limit"] = "1000"  # identity cannot filter by address: narrow the newest 1000 here
    return found


def _audit_filter(request: Request) -> HistoryFilter:
    found = HistoryFilter.read(request.query_params, ("user", "person", "operation"), rename={"person": "person_id"})
    if found.params.get("operation") not in {str(op) for op in Operation}:
        found.params.pop("operation", None)
    return found


def _export_link(path: str, request: Request) -> str:
    query = request.url.query
    return f"{path}?{query}" if query else path


@router.get("/logins", dependencies=CAN_READ_AUDIT)
async def login_history(request: Request, identity: IdentityDep) -> Response:
    """Logins, failed logins and logouts by user, period, result and terminal address."""
    found = _login_filter(request)
    events = [] if found.errors else await identity.logins(found.params)
    events = [event for event in events if found.matches(str(event.get("ip_address") or ""))]
    context = {
        "filter": found,
        "events": events,
        "types": LOGIN_EVENT_LABELS,
        "limits": LIMITS,
        "date_hint": DATE_HINT,
        "export_url": _export_link("/admin/logins/export.csv", request),
        "title": "ログイン履歴",
    }
    return render(request, "admin/logins.html", context, status_code=422 if found.errors else 200)


@router.get("/logins/export.csv", dependencies=CAN_READ_AUDIT)
async def export_logins(request: Request, identity: IdentityDep) -> Response:
    """The login history as CSV (identity's file, narrowed to the address range when one is given)."""
    found = _login_filter(request)
    if found.errors:
        return await login_history(request, identity)
    params = {name: value for name, value in found.params.items() if name != "limit"}
    if found.network is None:
        return relay(await identity.export_logins(params | csv_format(request)))
    response = await identity.export_logins(params)
    return await filtered_csv(response, lambda row: found.matches(row[LOGIN_CSV_IP_COLUMN]), request)


@router.get("/audit", dependencies=CAN_READ_AUDIT)
async def audit_history(request: Request, identity: IdentityDep) -> Response:
    """Who read, changed, printed, exported or searched personal data: by user, person, period, operation."""
    found = _audit_filter(request)
    events = [] if found.errors else await identity.audit_events(found.params)
    context = {
        "filter": found,
        "events": events,
        "operations": OPERATION_LABELS,
        "results": RESULTS,
        "record_types": RECORD_TYPES,
        "services": SERVICES,
        "limits": LIMITS,
        "date_hint": DATE_HINT,
        "export_url": _export_link("/admin/audit/export.csv", request),
        "title": "操作履歴",
    }
    return render(request, "admin/audit.html", context, status_code=422 if found.errors else 200)


@router.get("/audit/export.csv", dependencies=CAN_READ_AUDIT)
async def export_audit(request: Request, identity: IdentityDep) -> Response:
    """The operation history as CSV (identity records the export itself)."""
    found = _audit_filter(request)
    if found.errors:
        return await audit_history(request, identity)
    params = {name: value for name, value in found.params.items() if name != "limit"}
    return relay(await identity.export_audit_events(params | csv_format(request)))


@router.get("/audit/disclosure", dependencies=CAN_READ_AUDIT)
async def disclosure(request: Request, identity: IdentityDep, person_id: str = "") -> Response:
    """本人開示: everyone who accessed this person's data, as a page to print and hand over."""
    person = person_id.strip()[:100]
    report = await identity.disclosure(person) if person else None
    context = {"person_id": person, "report": report, "title": "個人情報アクセス記録（本人開示）"}
    return render(request, "admin/disclosure.html", context)


@router.get("/audit/verify", dependencies=CAN_READ_AUDIT)
async def verify(request: Request, identity: IdentityDep) -> Response:
    """改ざん検査: walks the hash chain and says where it breaks, if it does."""
    outcome = await identity.verify()
    context = {"outcome": outcome, "problems": PROBLEMS, "title": "操作履歴の改ざん検査"}
    return render(request, "admin/verify.html", context)


@router.get("/changes", dependencies=CAN_READ_AUDIT)
async def change_log(request: Request, identity: IdentityDep) -> Response:
    """変更管理記録: every start of every service with what changed, and the configuration changes."""
    found = HistoryFilter.read(request.query_params, ("service",), rename={})
    log = {"starts": [], "configuration": []} if found.errors else await identity.change_log(found.params)
    context = {
        "filter": found,
        "log": log,
        "operations": OPERATION_LABELS,
        "record_types": RECORD_TYPES,
        "services": SERVICES,
        "date_hint": DATE_HINT,
        "title": "変更管理記録",
    }
    return render(request, "admin/changes.html", context, status_code=422 if found.errors else 200)


OPERATIONS_PAGE_SIZE = 50


@router.get("/operations-log", dependencies=CAN_READ_AUDIT)
async def operations_log(request: Request, identity: IdentityDep, page: int = 1) -> Response:
    """運用記録 (N18): components down and up, parked events, repairs and planned stops, by kind and period."""
    found = HistoryFilter.read(request.query_params, ("kind",), rename={})
    if found.params.get("kind") not in OPERATIONS_KINDS:
        found.params.pop("kind", None)
    page = max(page, 1)
    params = {**found.params, "offset": (page - 1) * OPERATIONS_PAGE_SIZE, "limit": OPERATIONS_PAGE_SIZE}
    log = {"items": [], "total": 0, "components": []} if found.errors else await identity.operations_log(params)
    pages = max(1, -(-log["total"] // OPERATIONS_PAGE_SIZE))
    query = {name: value for name, value in found.values.items() if value and name != "limit"}
    context = {
        "filter": found,
        "log": log,
        "kinds": OPERATIONS_KINDS,
        "details": operations_details,
        "services": SERVICES,
        "date_hint": DATE_HINT,
        "page": page,
        "pages": pages,
        "size": OPERATIONS_PAGE_SIZE,
        "query": query,
        "retention_years": int(log.get("retention_days", 1096) // 365),
        "title": "運用記録",
        "nav_path": "/admin/audit",
    }
    return render(request, "admin/operations_log.html", context, status_code=422 if found.errors else 200)


async def filtered_csv(response: httpx.Response, keep: Callable[[list[str]], bool], request: Request) -> Response:
    """identity's UTF-8 CSV with only the rows `keep` accepts (the header stays), written in the encoding asked."""
    try:
        text = (await response.aread()).decode("utf-8-sig")
    finally:
        await response.aclose()
    rows = list(csv.reader(io.StringIO(text)))
    kept = [row for row in rows[1:] if len(row) > LOGIN_CSV_IP_COLUMN and keep(row)]
    written = csv_format(request)
    try:
        answer = csv_export.csv_response(
            "", rows[0] if rows else [], kept, encoding=written.get("encoding", ""), substitute="substitute" in written
        )
    except csv_export.CsvNotInCp932 as refused:
        raise CsvNotInCp932(refused.message) from refused
    answer.headers["Content-Disposition"] = response.headers.get("content-disposition", "attachment")
    return answer


@router.get("/usage", dependencies=CAN_READ_AUDIT)
async def usage(request: Request, identity: IdentityDep, masters: MastersDep, month: str = "") -> Response:
    """利用統計 (N30): one month's logins, views per area, downloads, printed forms and frequent search words, and
    the twelve months up to it."""
    first, last = usage_stats.month_range(month, clock.today())
    months = await identity.usage_monthly(usage_stats.trend_start(first), last)
    chosen = months[-1] if months else {}
    keep = list(await masters.districts())
    words = await identity.usage_search_words(first, last, keep=keep, top=usage_stats.TOP_WORDS)
    context = {
        "title": "利用統計",
        "first": first,
        "month": f"{first:%Y-%m}",
        "chosen": usage_stats.trend([chosen])[0] if chosen else None,
        "trend": usage_stats.trend(months),
        "areas": usage_stats.per_area(chosen.get("areas", {})),
        "words": usage_stats.search_words(words),
        "export_url": f"/admin/usage/export.csv?month={first:%Y-%m}",
        "nav_path": "/admin/audit",
    }
    return render(request, "admin/usage.html", context)


@router.get("/usage/export.csv", dependencies=CAN_READ_AUDIT)
async def export_usage(request: Request, identity: IdentityDep, month: str = "") -> Response:
    """利用統計 (N30) of the twelve months up to the chosen one as CSV, for a report to the health center's head."""
    first, last = usage_stats.month_range(month, clock.today())
    rows = usage_stats.csv_rows(usage_stats.trend(await identity.usage_monthly(usage_stats.trend_start(first), last)))
    written = csv_format(request)
    try:
        return csv_export.csv_response(
            f"利用統計_{first:%Y-%m}.csv",
            usage_stats.CSV_HEADER,
            rows,
            encoding=written.get("encoding", ""),
            substitute="substitute" in written,
        )
    except csv_export.CsvNotInCp932 as refused:
        raise CsvNotInCp932(refused.message) from refused


SIGNATURE_STATES = {
    "ok": "正常",
    "old": "古い（更新されていません）",
    "refused": "古すぎるため資料のアップロードを止めています",
    "unavailable": "確認できません（ウイルス検査が動いていません）",
}


async def backup_state(request: Request) -> dict | None:
    """The backup job's state from `tbms backup serve` (None: not watched from this gateway)."""
    url = request.app.state.settings.backup_status_url
    if not url:
        return None
    try:
        answer = await request.app.state.http.get(url, timeout=5)
        answer.raise_for_status()
        return answer.json()
    except (httpx.HTTPError, ValueError):
        return {
            "ok": False,
            "unreachable": True,
            "message": "バックアップの状態を取得できません（backup サービスが応答しません）",
        }


INDEX_STATES = {
    "complete": "正常",
    "rebuilding": "再構築中（以前の版の索引から移しています）",
    "needs_reindex": "要対応（索引の再構築が必要です）",
}
REBUILD_STATES = {"running": "実行中", "finished": "完了", "abandoned": "中断（破棄）", "failed": "失敗（破棄）"}


async def search_index_state(search: SearchClient) -> dict:
    """The search index's state and its latest rebuild (R28); `unreachable` when search does not answer."""
    try:
        return await search.index_status()
    except PageError:
        return {"unreachable": True}


@router.get("/operations", dependencies=CAN_READ_AUDIT)
async def operations(request: Request, reports: ReportsDep, search: SearchDep) -> Response:
    """運用状況: what the administrators check every morning: the backups (N06), the virus signatures (N22) and the
    search index with its rebuild (R28)."""
    scanner = await reports.scanner()
    index = await search_index_state(search)
    context = {
        "title": "運用状況",
        "backup": await backup_state(request),
        "index": index,
        "index_state": INDEX_STATES.get(index.get("state", ""), index.get("state", "")),
        "rebuild_states": REBUILD_STATES,
        "scanner": scanner,
        "state": SIGNATURE_STATES.get(scanner["state"], scanner["state"]),
        "nav_path": "/admin/audit",
    }
    return render(request, "admin/operations.html", context)
