"""権限の見直し (N21): every account with why it needs a look, and the administrator's confirmation of each."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.pages.admin.entry_forms import valid_id
from gateway.web.deps import IdentityDep, require_access
from gateway.web.errors import PageNotFound
from gateway.web.templating import render

router = APIRouter(prefix="/rights-review", tags=["権限の見直し"])
CAN_READ = [Depends(require_access(Area.USERS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.USERS, Access.UPDATE))]
DECISIONS = {"keep": "このままでよい", "change": "権限を変更した", "disable": "無効にする"}


@router.get("", dependencies=CAN_READ)
async def rights_review(request: Request, identity: IdentityDep, done: str = "") -> Response:
    """Every account; those with reasons first, each with a confirmation form."""
    return await _page(request, identity, done="確認結果を記録しました。" if done == "confirmed" else "")


@router.post("/{user_id}", dependencies=CAN_UPDATE)
async def confirm(request: Request, user_id: str, identity: IdentityDep) -> Response:
    """Records the decision on one account; a refused note is shown beside that account's field."""
    if not valid_id(user_id):
        raise PageNotFound()
    form = await request.form()
    decision, note = str(form.get("decision", "")), str(form.get("note", ""))
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = "確認結果を選んでください。"
    else:
        saved = await identity.confirm_rights(user_id, decision, note)
        if saved.record is not None:
            return RedirectResponse(f"/admin/rights-review?done=confirmed#u-{user_id}", status_code=303)
        errors = saved.errors or {}
    entered = {"user_id": user_id, "decision": decision, "note": note}
    return await _page(request, identity, entered=entered, errors=errors, status_code=422)


async def _page(request: Request, identity: IdentityDep, status_code: int = 200, **more: Any) -> Response:
    report = await identity.rights_review()
    context = {
        "report": report,
        "decisions": DECISIONS,
        "entered": more.pop("entered", {}),
        "errors": more.pop("errors", {}),
        "title": "権限の見直し",
        **more,
    }
    return render(request, "admin/rights_review.html", context, status_code=status_code)
