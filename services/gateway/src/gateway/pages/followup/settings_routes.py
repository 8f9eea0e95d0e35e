"""管理検診・行動調査の設定: the schedules' intervals beside the TB_PRACTICE §7 defaults and their basis, and the
items a health center adds to the 行動調査票, with every change's history. Reading needs マスタ管理 参照; changing
needs マスタ管理 更新 (as the DOTS settings)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area

from gateway.clients.patients import PatientsClient
from gateway.pages.followup import settings_view as sv
from gateway.web.deps import PatientsDep, require_access
from gateway.web.templating import flash, render

router = APIRouter(tags=["管理検診・行動調査の設定"])
CAN_READ = [Depends(require_access(Area.MASTERS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.MASTERS, Access.UPDATE))]
PAGE = "/followup/settings"


async def _page(
    request: Request,
    patients: PatientsClient,
    *,
    typed: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    conflict: str = "",
    status_code: int = 200,
) -> Response:
    settings = await patients.followup_settings()
    context = {
        "settings": settings,
        "versions": {item["key"]: item["version"] for item in settings.get("items", [])},
        "typed": typed or sv.typed_from(settings),
        "errors": errors or {},
        "conflict": conflict,
        "history": await patients.followup_settings_history(),
        "title": "管理検診・行動調査の設定",
        "nav_path": "/followup",
    }
    return render(request, "followup/settings.html", context, status_code=status_code)


@router.get("/settings", dependencies=CAN_READ)
async def followup_settings(request: Request, patients: PatientsDep) -> Response:
    """The intervals in force beside their defaults and basis, the added items, and the changes made."""
    return await _page(request, patients)


@router.post("/settings/profiles", dependencies=CAN_UPDATE)
async def change_profiles(request: Request, patients: PatientsDep) -> Response:
    """Saves the four schedules' months and periods; nothing changes when one is wrong."""
    posted = {k: str(v) for k, v in (await request.form()).items()}
    value, errors = sv.profiles_value(posted)
    return await _save(request, patients, "profiles", posted, value, errors)


@router.post("/settings/extra-items", dependencies=CAN_UPDATE)
async def change_extra_items(request: Request, patients: PatientsDep) -> Response:
    """Saves the items the health center adds to the 行動調査票."""
    posted = {k: str(v) for k, v in (await request.form()).items()}
    value, errors = sv.extra_items_value(posted)
    return await _save(request, patients, "investigation_extra_items", posted, value, errors)


@router.post("/settings/infectious-period", dependencies=CAN_UPDATE)
async def change_infectious_period(request: Request, patients: PatientsDep) -> Response:
    """Saves how many months the infectious period counts back (fewer for a smear-negative case)."""
    posted = {k: str(v) for k, v in (await request.form()).items()}
    value, errors = sv.infectious_value(posted)
    return await _save(request, patients, "infectious_period", posted, value, errors)


async def _save(
    request: Request,
    patients: PatientsClient,
    key: str,
    posted: dict[str, str],
    value: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    typed = sv.typed_posted(posted)
    if errors:
        return await _page(request, patients, typed=typed, errors=errors, status_code=422)
    body = {"version": int(posted.get("version") or 0), "value": value, "reason": posted.get("reason", "").strip()}
    result = await patients.followup_change_setting(key, body)
    if result.record is not None:
        flash(request, sv.saved_message(result.record))
        return RedirectResponse(PAGE, status_code=303)
    return await _page(
        request,
        patients,
        typed=typed,
        errors=sv.field_errors(result.errors or {}, key),
        conflict=result.conflict or "",
        status_code=409 if result.conflict else 422,
    )
