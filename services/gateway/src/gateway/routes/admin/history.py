"""ログイン履歴 and 操作履歴 (R36, N05): filters, CSV export relayed from identity, 本人開示 and 改ざん検査."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Depends, Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse
from tbms_contracts.audit import Operation
from tbms_core.auth import Access, Area

from gateway.deps import require_access
from gateway.identity_admin import IdentityDep
from gateway.routes.admin.forms import DATE_HINT, HistoryFilter
from gateway.templating import render

router = APIRouter(tags=["ログイン履歴・操作履歴"])
CAN_READ_AUDIT = [Depends(require_access(Area.AUDIT, Access.READ))]
LOGIN_TYPES = {
    "LOGIN": "ログイン",
    "LOGIN_ERROR": "ログイン失敗",
    "LOGOUT": "ログアウト",
    "LOGOUT_ERROR": "ログアウト失敗",
    "UPDATE_PASSWORD": "パスワード変更",
    "UPDATE_TOTP": "ワンタイムパスワード設定",
    "REMOVE_TOTP": "ワンタイムパスワード削除",
}
OPERATIONS = {
    Operation.READ: "参照",
    Operation.CREATE: "登録",
    Operation.UPDATE: "更新",
    Operation.DELETE: "削除",
    Operation.PRINT: "印刷",
    Operation.EXPORT: "出力",
    Operation.DOWNLOAD: "ダウンロード",
    Operation.SEARCH: "検索",
    Operation.LOGIN: "ログイン",
}
RESULTS = {"success": "成功", "denied": "拒否", "failure": "失敗", "error": "失敗"}
RECORD_TYPES = {  # what was touched, as staff call it; unknown kinds are shown as recorded
    "patient": "患者",
    "patient_history": "患者の修正履歴",
    "patient_record": "患者の記録（全体）",
    "treatment": "治療",
    "hospitalisation": "入院",
    "transfer": "転入・転出",
    "progress_note": "経過記録",
    "public_expense": "公費負担",
    "field_definition": "追加項目の定義",
    "patient_duplicate_check": "重複確認",
    "lab_result": "菌検査",
    "contact": "接触者",
    "document": "帳票",
    "search": "検索",
    "user": "ユーザ",
    "access_user": "ユーザの権限",
    "access_group": "グループの権限",
    "login_history": "ログイン履歴",
    "audit_log": "操作履歴",
    "disclosure": "本人開示",
}
SERVICES = {
    "patients": "患者管理",
    "contacts": "接触者管理",
    "reports": "帳票",
    "search": "検索",
    "identity": "利用者・監査",
    "masters": "マスタ",
}
PROBLEMS = {
    "altered": "内容の改変",
    "relinked": "差し替え・挿入",
    "missing": "削除",
    "unchained": "正規の手順によらない追加",
    "head_mismatch": "末尾の不一致",
}
LOGIN_CSV_IP_COLUMN = 4  # 端末IPアドレス in identity's login CSV
LIMITS = ("100", "500", "1000")


def _login_filter(request: Request) -> HistoryFilter:
    found = HistoryFilter.read(request.query_params, ("user", "type", "ip"), rename={})
    if found.params.get("type") not in LOGIN_TYPES:
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
        "types": LOGIN_TYPES,
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
    response = await identity.export("logins", params)
    if found.network is None:
        return relay(response)
    return await filtered_csv(response, lambda row: found.matches(row[LOGIN_CSV_IP_COLUMN]))


@router.get("/audit", dependencies=CAN_READ_AUDIT)
async def audit_history(request: Request, identity: IdentityDep) -> Response:
    """Who read, changed, printed, exported or searched personal data: by user, person, period, operation."""
    found = _audit_filter(request)
    events = [] if found.errors else await identity.audit_events(found.params)
    context = {
        "filter": found,
        "events": events,
        "operations": OPERATIONS,
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
    return relay(await identity.export("audit/events", params))


@router.get("/audit/disclosure", dependencies=CAN_READ_AUDIT)
async def disclosure(request: Request, identity: IdentityDep, person_id: str = "") -> Response:
    """本人開示: everyone who accessed this person's data, as a page to print and hand over."""
    person = person_id.strip()[:100]
    report = await identity.disclosure(quote(person, safe="")) if person else None
    context = {"person_id": person, "report": report, "title": "個人情報アクセス記録（本人開示）"}
    return render(request, "admin/disclosure.html", context)


@router.get("/audit/verify", dependencies=CAN_READ_AUDIT)
async def verify(request: Request, identity: IdentityDep) -> Response:
    """改ざん検査: walks the hash chain and says where it breaks, if it does."""
    outcome = await identity.verify()
    context = {"outcome": outcome, "problems": PROBLEMS, "title": "操作履歴の改ざん検査"}
    return render(request, "admin/verify.html", context)


def relay(response: httpx.Response) -> StreamingResponse:
    """Streams identity's CSV file to the browser under identity's file name."""
    headers = {"Content-Disposition": response.headers.get("content-disposition", "attachment")}
    return StreamingResponse(
        response.aiter_bytes(),
        media_type=response.headers.get("content-type", "text/csv; charset=utf-8"),
        headers=headers,
        background=BackgroundTask(response.aclose),
    )


async def filtered_csv(response: httpx.Response, keep: Callable[[list[str]], bool]) -> Response:
    """identity's CSV with only the rows `keep` accepts (the header stays); UTF-8 with a BOM, CRLF."""
    try:
        text = (await response.aread()).decode("utf-8-sig")
    finally:
        await response.aclose()
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(rows[:1] + [row for row in rows[1:] if len(row) > LOGIN_CSV_IP_COLUMN and keep(row)])
    headers = {"Content-Disposition": response.headers.get("content-disposition", "attachment")}
    return Response(("\ufeff" + out.getvalue()).encode(), media_type="text/csv; charset=utf-8", headers=headers)
