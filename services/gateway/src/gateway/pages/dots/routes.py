"""服薬支援 (DOTS, R07): a patient's plan, adherence and month calendar entry, the nurse's day sheet, and the
コホート検討会 list. Reads need 患者管理 参照; the calendar and the day sheet's lines need 患者管理 更新 (the
pages say so where the forms would be)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import RedirectResponse, Response
from tbms_core.auth import Access, Area
from tbms_core.clock import today
from tbms_core.jp.wareki import WarekiError, parse_date

from gateway.clients.patients import PatientsClient
from gateway.pages.dots import course_routes, plan_routes, settings_routes
from gateway.pages.dots import view as v
from gateway.web.deps import PatientsDep, require_access
from gateway.web.templating import flash, render, wareki

router = APIRouter(prefix="/dots", tags=["服薬支援"])
CAN_READ = [Depends(require_access(Area.PATIENTS, Access.READ))]
CAN_UPDATE = [Depends(require_access(Area.PATIENTS, Access.UPDATE))]
router.include_router(plan_routes.router)
router.include_router(course_routes.router)
router.include_router(settings_routes.router)
NOTHING_TO_SAVE = "保存する変更がありません。服薬の状況を選んだ日、または記録を変えた日だけを保存します。"


async def _patient_page(
    request: Request,
    patients: PatientsClient,
    patient_id: uuid.UUID,
    first: date,
    *,
    rows: list[v.CalendarDay] | None = None,
    errors: list[str] | None = None,
    conflict: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    pid = str(patient_id)
    days = v.month_days(first)
    patient, settings, plans, assessments, course, stored = await asyncio.gather(
        patients.patient(pid),
        patients.dots_settings(),
        patients.dots_plans(pid),
        patients.dots_assessments(pid),
        patients.dots_course(pid),
        patients.dots_confirmations(pid, days[0].isoformat(), days[-1].isoformat()),
    )
    now = today()
    shown = rows if rows is not None else v.calendar_rows(first, stored, now)
    setting = {item["key"]: item["value"] for item in settings.get("items", [])}
    day_errors = [(r, name, message) for r in shown for name, message in r.errors.items()]
    context: dict[str, Any] = {
        "patient": patient,
        "dots_codes": settings,
        "intensities": setting.get("intensities", {}),
        "plan": v.plan_in_force(plans, now),
        "plans": plans,
        "assessment": assessments[0] if assessments else None,
        "courses": course,
        "week_rows": v.week_rows,
        "interruption": v.interruption_view,
        "percent": v.percent,
        "rows": shown,
        "summary": v.calendar_summary(v.calendar_rows(first, stored, now), v.STATUS_LABELS),
        "month": first,
        "month_label": v.month_label(first),
        "previous": v.shift_month(first, -1),
        "next": v.shift_month(first, 1),
        "day_errors": day_errors,
        "errors": errors or [],
        "conflict": conflict,
        "notice": notice,
        "title": f"服薬支援（{patient.get('name', '')}）",
        "forms": course_routes.DOTS_FORMS,
    }
    return render(request, "dots/patient.html", context, status_code=status_code)


def _month_or_this(month: str) -> date:
    return v.parse_month(month, today()) or today().replace(day=1)


@router.get("/patients/{patient_id:uuid}", dependencies=CAN_READ)
async def patient_dots(request: Request, patient_id: uuid.UUID, patients: PatientsDep, month: str = "") -> Response:
    """The plan in force, adherence per week and for the course, interruptions, and the month calendar."""
    first = v.parse_month(month, today())
    if first is None:
        return await _patient_page(request, patients, patient_id, _month_or_this(""), errors=[v.MONTH_ERROR])
    return await _patient_page(request, patients, patient_id, first)


@router.post("/patients/{patient_id:uuid}/calendar", dependencies=CAN_UPDATE)
async def save_calendar(request: Request, patient_id: uuid.UUID, patients: PatientsDep) -> Response:
    """Sends the month's new and changed days as one calendar request; 「全日 服用（対面）」 fills without saving."""
    posted = await request.form()
    first = _month_or_this(str(posted.get("month") or ""))
    days = v.month_days(first)
    stored = await patients.dots_confirmations(str(patient_id), days[0].isoformat(), days[-1].isoformat())
    rows = v.calendar_rows(first, stored, today())
    if posted.get("fill"):
        filled = v.fill_all(rows)
        notice = (
            f"未入力の{filled}日を「服用（対面）」にしました。まだ保存していません。"
            "違う日を直してから「この月の服薬確認を保存する」を押してください。"
        )
        return await _patient_page(request, patients, patient_id, first, rows=rows, notice=notice)
    v.typed_rows(rows, {k: str(value) for k, value in posted.items()})
    sent = [row for row in rows if row.changed]
    if not sent:
        return await _patient_page(
            request, patients, patient_id, first, rows=rows, errors=[NOTHING_TO_SAVE], status_code=422
        )
    result = await patients.dots_calendar(str(patient_id), [row.item() for row in sent])
    if result.record is not None:
        # no #fragment: the browser would take the focus from the message (app.js gives it to 「保存しました」)
        flash(request, f"{v.month_label(first)}の服薬確認を{len(sent)}日分保存しました。")
        return RedirectResponse(f"/dots/patients/{patient_id}?month={first:%Y-%m}", status_code=303)
    if result.conflict:
        return await _patient_page(
            request, patients, patient_id, first, rows=rows, conflict=result.conflict, status_code=409
        )
    others = v.place_calendar_errors(rows, sent, result.errors or {})
    return await _patient_page(request, patients, patient_id, first, rows=rows, errors=others, status_code=422)


def _read_day(typed: str) -> date | None:
    if not typed:
        return today()
    try:
        return parse_date(typed)
    except (WarekiError, ValueError):
        return None


async def _day_sheet(
    request: Request,
    patients: PatientsClient,
    day: date,
    *,
    failed: dict[str, dict[str, Any]] | None = None,
    day_error: str = "",
    typed_day: str = "",
    status_code: int = 200,
) -> Response:
    sheet, settings = await asyncio.gather(patients.dots_day_sheet(day.isoformat()), patients.dots_settings())
    setting = {item["key"]: item["value"] for item in settings.get("items", [])}
    context = {
        "sheet": sheet,
        "day": day,
        "dots_codes": settings,
        "intensities": setting.get("intensities", {}),
        "failed": failed or {},
        "usual_method": v.USUAL_METHOD,
        "day_error": day_error,
        "typed_day": typed_day or wareki(day, "short"),
        "previous": v.next_day(day, -1),
        "next": v.next_day(day, 1),
        "is_future": day > today(),
        "due_count": sum(
            1 for line in sheet.get("items", []) if line.get("due_today") and not line.get("confirmation")
        ),
        "title": "服薬確認の訪問・連絡予定（日別）",
        "nav_path": "/dots/day-sheet",
    }
    return render(request, "dots/day_sheet.html", context, status_code=status_code)


@router.get("/day-sheet", dependencies=CAN_READ)
async def day_sheet(request: Request, patients: PatientsDep, day: str = "") -> Response:
    """Every patient the logged-in nurse confirms on the day, one line each with what is due and its form."""
    shown = _read_day(day)
    if shown is None:
        message = "日付を読み取れません。「R8.12.3」「2026-12-03」などの形で入力してください。"
        return await _day_sheet(request, patients, today(), day_error=message, typed_day=day, status_code=422)
    return await _day_sheet(request, patients, shown)


@router.post("/day-sheet", dependencies=CAN_UPDATE)
async def confirm_line(request: Request, patients: PatientsDep) -> Response:
    """One line of the day sheet: that patient's confirmation of the day."""
    posted = await request.form()
    day = _read_day(str(posted.get("day") or "")) or today()
    patient_id = str(posted.get("patient_id") or "")
    typed = {name: str(posted.get(name) or "").strip() for name in ("status", "method", "note")}
    body = {"confirmed_on": day.isoformat(), **typed}
    result = await patients.dots_confirm(patient_id, body)
    if result.record is not None:
        name = str(posted.get("name") or "")
        flash(request, f"{name}さんの{wareki(day)}の服薬確認を保存しました。")
        return RedirectResponse(f"/dots/day-sheet?day={day.isoformat()}", status_code=303)
    errors = dict(result.errors or {})
    if result.conflict:
        errors["status"] = result.conflict
    for key in [k for k in errors if k not in ("status", "method")]:  # the day itself (already recorded…)
        message = errors.pop(key)
        errors.setdefault("status", message)
    failed = {patient_id: {"values": typed, "errors": errors}}
    return await _day_sheet(request, patients, day, failed=failed, status_code=409 if result.conflict else 422)


@router.get("/cohort", dependencies=CAN_READ)
async def cohort(
    request: Request,
    patients: PatientsDep,
    period: str = "",
    offset: int = Query(default=0, ge=0, le=1_000_000),
    ltbi_offset: int = Query(default=0, ge=0, le=1_000_000),
) -> Response:
    """コホート検討会: a page of the courses started in the period with computed outcome, rule, override and
    adherence (LTBI paged apart); the counts and the DOTS rate are the whole period's."""
    now = today()
    asked = period.strip().upper() or f"{now.year}Q{(now.month - 1) // 3 + 1}"
    result, settings = await asyncio.gather(patients.dots_cohort(asked, offset, ltbi_offset), patients.dots_settings())
    context = {
        "period": asked,
        "offset": offset,
        "ltbi_offset": ltbi_offset,
        "listed": result.record,
        "errors": result.errors or {},
        "dots_codes": settings,
        "percent": v.percent,
        "title": "コホート検討会の一覧",
    }
    return render(request, "dots/cohort.html", context, status_code=422 if result.errors else 200)
