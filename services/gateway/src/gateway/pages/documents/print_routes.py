"""Printing (R18, R19): a form previewed and checked for empty required items before it prints, and the forms of
a genre printed in one batch in the background with its progress. Both need 帳票 参照 (printing is reading)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from tbms_core.auth import Access, Area

from gateway.pages.documents import view as v
from gateway.pages.documents.entry_forms import GENRES
from gateway.web.deps import PatientsDep, ReportsDep, require_access
from gateway.web.downloads import relay
from gateway.web.templating import render

router = APIRouter()
CAN_PRINT = [Depends(require_access(Area.FORMS, Access.READ))]


@router.get("/forms/{form}/check", dependencies=CAN_PRINT)
async def check_form(
    request: Request, form: str, reports: ReportsDep, patients: PatientsDep, patient_id: uuid.UUID
) -> Response:
    """印刷前の確認: the preview link, the empty required items with links to fill them, print anyway or not."""
    pid = str(patient_id)
    patient = await patients.patient(pid)
    check = await reports.check_form(form, pid)
    titles = {f["id"]: f["title"] for f in await reports.forms()}
    context = {
        "title": f"印刷前の確認：{titles.get(check['form'], check['form'])}",
        "patient": patient,
        "check": check,
        "form_title": titles.get(check["form"], check["form"]),
        "missing": v.required_rows(pid, check["missing"]),
    }
    return render(request, "documents/check.html", context)


@router.get("/forms/{form}/preview", dependencies=CAN_PRINT)
async def preview_form(form: str, reports: ReportsDep, patient_id: uuid.UUID) -> StreamingResponse:
    """The form as it would print, shown in the browser (not stored)."""
    return relay(await reports.form_preview(form, str(patient_id)), media_type="application/pdf")


@router.get("/batches", dependencies=CAN_PRINT)
async def batch_page(
    request: Request,
    reports: ReportsDep,
    patients: PatientsDep,
    patient_id: list[str] = Query(default_factory=list),
) -> Response:
    """一括印刷: choose the genre and the patients (those sent from a list are ticked); the user's recent batches."""
    return await _batch_form(request, reports, patients, chosen=set(patient_id))


async def _batch_form(
    request: Request,
    reports: ReportsDep,
    patients: PatientsDep,
    *,
    chosen: set[str],
    genre: str = "患者管理",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    listed = await patients.patients(limit=50)
    recent = [v.batch_view(b) for b in await reports.batches()]
    forms = await reports.forms()
    context: dict[str, Any] = {
        "title": "一括印刷",
        "patients": listed.get("items", []),
        "chosen": chosen,
        "genre": genre,
        "genres": [(value, label, [f["title"] for f in forms if f["genre"] == value]) for value, label in GENRES],
        "errors": errors or {},
        "recent": recent,
    }
    return render(request, "documents/batch_new.html", context, status_code=status_code)


@router.post("/batches")
async def request_batch(request: Request, reports: ReportsDep, patients: PatientsDep) -> Response:
    """Starts a batch and opens its progress page; nothing chosen, or a genre without forms, is said beside it."""
    posted = await request.form()
    genre = str(posted.get("genre") or "")
    chosen = [str(p) for p in posted.getlist("patient_id")]
    errors: dict[str, str] = {}
    if not chosen:
        errors["patient_id"] = "印刷する患者を1人以上選んでください。"
    if not errors:
        result = await reports.request_batch(genre, chosen)
        if result.record is not None:
            return RedirectResponse(f"/documents/batches/{result.record['id']}", status_code=303)
        errors = {("genre" if k != "patient_ids" else "patient_id"): m for k, m in (result.errors or {}).items()}
        errors = errors or {"genre": result.conflict or "一括印刷を開始できませんでした。"}
    return await _batch_form(
        request, reports, patients, chosen=set(chosen), genre=genre, errors=errors, status_code=422
    )


@router.get("/batches/{batch_id:uuid}", dependencies=CAN_PRINT)
async def batch_progress(request: Request, batch_id: uuid.UUID, reports: ReportsDep) -> Response:
    """A batch's progress bar (updated while it runs; the page can be reloaded or left and opened again)."""
    batch = v.batch_view(await reports.batch(str(batch_id)))
    return render(request, "documents/batch.html", {"title": f"一括印刷：{batch['title']}", "batch": batch})


@router.get("/batches/{batch_id:uuid}/progress", dependencies=CAN_PRINT)
async def batch_progress_json(batch_id: uuid.UUID, reports: ReportsDep) -> JSONResponse:
    """The progress as JSON, for the page's script."""
    batch = await reports.batch(str(batch_id))
    keys = ("status", "status_label", "done", "total", "percent", "pages", "skipped")
    return JSONResponse({key: batch[key] for key in keys})


@router.get("/batches/{batch_id:uuid}/pdf", dependencies=CAN_PRINT)
async def batch_pdf(batch_id: uuid.UUID, reports: ReportsDep) -> StreamingResponse:
    """The merged PDF of a finished batch."""
    return relay(await reports.batch_content(str(batch_id)), media_type="application/pdf")
