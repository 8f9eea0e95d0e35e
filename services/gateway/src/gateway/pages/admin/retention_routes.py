"""保存期間満了の削除 (N17): the setting with its basis, the registration records due for deletion after 登録除外,
their deletion with a reason (監査 update), and the records of past deletions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.web.deps import PatientsDep, require_access
from gateway.web.permissions import allows
from gateway.web.templating import render

router = APIRouter(prefix="/retention", tags=["保存期間"])
CAN_READ = [Depends(require_access(Area.AUDIT, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.AUDIT, Access.UPDATE))]


@router.get("", dependencies=CAN_READ)
async def retention_page(request: Request, patients: PatientsDep, done: str = "") -> Response:
    """The setting, the due list (nothing is deleted by opening it) and the past deletions."""
    return await _page(request, patients, done=f"{done}件の登録を削除しました。" if done.isdigit() else "")


@router.post("", dependencies=CAN_UPDATE)
async def delete_expired(request: Request, patients: PatientsDep) -> Response:
    """Deletes the ticked records for the reason given; a refusal comes back beside its field, nothing deleted."""
    form = await request.form()
    chosen = [str(v) for v in form.getlist("patient_ids")]
    reason = str(form.get("reason") or "").strip()
    errors: dict[str, str] = {}
    if not chosen:
        errors["patient_ids"] = "削除する登録を選んでください。"
    if not reason:
        errors["reason"] = "削除の理由を入力してください。"
    if not errors:
        saved = await patients.delete_expired(chosen, reason)
        if saved.record is not None:
            return RedirectResponse(f"/admin/retention?done={len(chosen)}", status_code=303)
        errors = saved.errors or {"patient_ids": "削除できませんでした。"}
    entered = {"patient_ids": chosen, "reason": reason}
    return await _page(request, patients, entered=entered, errors=errors, status_code=422)


async def _page(request: Request, patients: PatientsDep, status_code: int = 200, **more: Any) -> Response:
    due = await patients.retention_due()
    session = getattr(request.state, "session", None)
    context = {
        "can_delete": allows(session.user if session else None, Area.AUDIT, Access.UPDATE),
        "due": due,
        "deletions": await patients.retention_deletions(),
        "entered": more.pop("entered", {"patient_ids": [], "reason": ""}),
        "errors": more.pop("errors", {}),
        "title": "保存期間満了の削除",
        **more,
    }
    return render(request, "admin/retention.html", context, status_code=status_code)
