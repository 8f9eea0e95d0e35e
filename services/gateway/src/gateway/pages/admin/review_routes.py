"""不審なアクセスの確認 (N21): the review list of what the rules found, one finding with its evidence and the
auditor's decision, the monthly summary to print, and the list of protected people."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_contracts.labels import OPERATION_LABELS
from tbms_core import clock
from tbms_core.auth import Access, Area

from gateway.clients.identity import IdentityClient
from gateway.pages.admin.entry_forms import DATE_HINT, HistoryFilter
from gateway.pages.admin.view import RECORD_TYPES
from gateway.web.deps import IdentityDep, require_access
from gateway.web.errors import PageNotFound
from gateway.web.templating import render

router = APIRouter(prefix="/access-review", tags=["不審なアクセスの確認"])
CAN_READ = [Depends(require_access(Area.AUDIT, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.AUDIT, Access.UPDATE))]
STATUSES = {"unreviewed": "未確認", "ok": "確認済・問題なし", "check": "要確認", "guidance": "指導"}
DECISIONS = {key: label for key, label in STATUSES.items() if key != "unreviewed"}
DONE = {
    "reviewed": "確認結果を保存しました。",
    "ran": "分析を実行しました。",
    "protected": "対象者を登録しました。",
    "unprotected": "対象者を一覧から外しました。",
    "recorded": "点検の実施を記録しました。",
}
PAGE = 100


def _filter(request: Request) -> HistoryFilter:
    found = HistoryFilter.read(request.query_params, ("status", "rule"), rename={})
    if found.params.get("status") not in STATUSES:
        found.params.pop("status", None)
    found.params["limit"] = PAGE
    return found


@router.get("", dependencies=CAN_READ)
async def review_list(request: Request, identity: IdentityDep, done: str = "") -> Response:
    """What the rules found, newest day first, filtered by period, rule and review state."""
    found = _filter(request)
    rules = await identity.access_rules()
    page = {"items": [], "total": 0} if found.errors else await identity.access_findings(found.params)
    context = {
        "filter": found,
        "page": page,
        "rules": rules,
        "rule_names": {rule["code"]: rule["name"] for rule in rules},
        "statuses": STATUSES,
        "date_hint": DATE_HINT,
        "this_month": clock.today().strftime("%Y-%m"),
        "done": DONE.get(done, ""),
        "title": "不審なアクセスの確認",
    }
    return render(request, "admin/review/list.html", context, status_code=422 if found.errors else 200)


@router.post("/run", dependencies=CAN_READ)
async def run_now(identity: IdentityDep) -> Response:
    """Runs the analysis now instead of waiting for its schedule."""
    await identity.run_access_review()
    return RedirectResponse("/admin/access-review?done=ran", status_code=303)


@router.get("/summary", dependencies=CAN_READ)
async def monthly_summary(request: Request, identity: IdentityDep, month: str = "") -> Response:
    """The month's findings per rule and review state, to print for the 情報セキュリティ責任者."""
    month = month if len(month) == 7 and month[4] == "-" and month.replace("-", "").isdigit() else ""
    month = month or clock.today().strftime("%Y-%m")
    if not 1 <= int(month[5:]) <= 12:
        raise PageNotFound()
    summary = await identity.access_summary(f"{month}-01")
    context = {"summary": summary, "month": month, "title": f"不審なアクセスの確認 月次集計（{month}）"}
    return render(request, "admin/review/summary.html", context)


@router.get("/protected", dependencies=CAN_READ)
async def protected_list(request: Request, identity: IdentityDep, done: str = "") -> Response:
    """The people whose records nobody should open without a reason."""
    return await _protected_page(request, identity, done=DONE.get(done, ""))


@router.post("/protected", dependencies=CAN_UPDATE)
async def protect(request: Request, identity: IdentityDep) -> Response:
    """Adds a person; a missing field is shown beside it with the input kept."""
    form = await request.form()
    values = {name: str(form.get(name, "")).strip() for name in ("person_id", "reason")}
    errors = {name: "入力してください。" for name, value in values.items() if not value}
    if not errors:
        result = await identity.protect_person(values["person_id"], values["reason"])
        if result.record is not None:
            return RedirectResponse("/admin/access-review/protected?done=protected", status_code=303)
        errors = result.errors or {}
    return await _protected_page(request, identity, values=values, errors=errors, status_code=422)


@router.post("/protected/{person_id}/remove", dependencies=CAN_UPDATE)
async def unprotect(person_id: str, identity: IdentityDep) -> Response:
    """Removes a person from the list."""
    await identity.unprotect_person(person_id[:100])
    return RedirectResponse("/admin/access-review/protected?done=unprotected", status_code=303)


@router.get("/calendar", dependencies=CAN_READ)
async def review_calendar(request: Request, identity: IdentityDep, done: str = "") -> Response:
    """The periodic reviews of the operation history and of the access rights: overdue, waiting, done, next."""
    return await _calendar_page(request, identity, done=DONE.get(done, ""))


@router.post("/calendar/{kind}/{period:path}", dependencies=CAN_READ)
async def record_review(request: Request, kind: str, period: str, identity: IdentityDep) -> Response:
    """Records a review as done by the current user (identity checks who may record which kind)."""
    form = await request.form()
    note = str(form.get("note", "")).strip()
    result = await identity.record_review(kind[:20], period[:40], note)
    if result.record is not None:
        return RedirectResponse("/admin/access-review/calendar?done=recorded", status_code=303)
    return await _calendar_page(request, identity, errors=result.errors or {}, status_code=422)


@router.get("/{finding_id}", dependencies=CAN_READ)
async def finding_page(request: Request, finding_id: uuid.UUID, identity: IdentityDep, done: str = "") -> Response:
    """One finding: why it was found, the accesses that make it, the decisions so far, the review form."""
    finding = await identity.access_finding(str(finding_id))
    return _finding(request, finding, done=DONE.get(done, ""))


@router.post("/{finding_id}", dependencies=CAN_UPDATE)
async def review(request: Request, finding_id: uuid.UUID, identity: IdentityDep) -> Response:
    """Saves the decision; a refused note is shown beside the field, a stale screen is told so."""
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("status", "note", "version")}
    errors: dict[str, str] = {}
    if values["status"] not in DECISIONS:
        errors["status"] = "確認結果を選んでください。"
    if not values["version"].isdigit():
        errors["status"] = "画面を開き直してから、もう一度保存してください。"
    conflict = ""
    if not errors:
        decision = {"status": values["status"], "note": values["note"], "version": int(values["version"])}
        result = await identity.review_access_finding(str(finding_id), decision)
        if result.record is not None:
            return RedirectResponse(f"/admin/access-review/{finding_id}?done=reviewed", status_code=303)
        errors, conflict = result.errors or {}, result.conflict or ""
    finding = await identity.access_finding(str(finding_id))
    return _finding(request, finding, values=values, errors=errors, conflict=conflict, status_code=422)


def _finding(request: Request, finding: dict[str, Any], status_code: int = 200, **more: Any) -> Response:
    context = {
        "finding": finding,
        "decisions": DECISIONS,
        "operations": OPERATION_LABELS,
        "record_types": RECORD_TYPES,
        "values": more.pop("values", {"status": "", "note": "", "version": str(finding["version"])}),
        "errors": more.pop("errors", {}),
        "title": f"不審なアクセスの確認: {finding['rule_name']}",
        **more,
    }
    return render(request, "admin/review/finding.html", context, status_code=status_code)


async def _protected_page(request: Request, identity: IdentityClient, status_code: int = 200, **more: Any) -> Response:
    context = {
        "people": await identity.protected_persons(),
        "values": more.pop("values", {"person_id": "", "reason": ""}),
        "errors": more.pop("errors", {}),
        "title": "閲覧に注意を要する人の一覧",
        **more,
    }
    return render(request, "admin/review/protected.html", context, status_code=status_code)


async def _calendar_page(request: Request, identity: IdentityClient, status_code: int = 200, **more: Any) -> Response:
    context = {
        "calendar": await identity.review_calendar(),
        "errors": more.pop("errors", {}),
        "title": "点検の予定と実施記録",
        **more,
    }
    return render(request, "admin/review/calendar.html", context, status_code=status_code)
