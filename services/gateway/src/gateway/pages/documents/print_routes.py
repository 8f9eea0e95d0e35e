"""Printing (R18, R19): a form previewed and checked for empty required items before it prints, and the forms of
a genre printed in one batch in the background with its progress. Both need 帳票 参照 (printing is reading)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from tbms_core.auth import Access, Area

from gateway.clients.base import SaveResult
from gateway.pages.documents import view as v
from gateway.pages.documents.entry_forms import GENRES
from gateway.web.deps import PatientsDep, ReportsDep, require_access
from gateway.web.downloads import relay
from gateway.web.errors import PageError, PageNotFound
from gateway.web.permissions import allows
from gateway.web.templating import render

router = APIRouter()
CAN_PRINT = [Depends(require_access(Area.FORMS, Access.READ))]
MAX_SENT = 200  # patients a list or a search may send to one batch page


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
    genre: str = Query("患者管理", max_length=20),
    session_id: str = Query("", max_length=40),
    day: str = Query("", max_length=40),
    place: str = Query("", max_length=200),
) -> Response:
    """一括印刷: choose the genre, then the patients (those sent from a list are ticked), the 診査会 session or the
    screening day and place; the user's recent batches."""
    typed = {"session_id": session_id, "day": day, "place": place}
    return await _batch_form(request, reports, patients, chosen=set(patient_id), genre=genre, typed=typed)


async def _batch_form(
    request: Request,
    reports: ReportsDep,
    patients: PatientsDep,
    *,
    chosen: set[str],
    genre: str = "患者管理",
    typed: dict[str, str] | None = None,
    ticked: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if ticked is None:  # the forms each genre prints unless chosen otherwise
        ticked = {key: [f for f, _, on in choices if on] for key, choices in v.GENRE_FORMS.items()}
    session = getattr(request.state, "session", None)
    may_review = allows(session.user if session is not None else None, Area.REVIEW)
    listed, sessions = await asyncio.gather(
        patients.patients(limit=50), patients.board_sessions() if may_review else _nothing()
    )
    recent = [v.batch_view(b) for b in await reports.batches()]
    forms = await reports.forms()
    newest = list(listed.get("items", []))
    sent = [pid for pid in sorted(chosen) if pid not in {str(p.get("id")) for p in newest}][:MAX_SENT]
    # patients sent from a search or a list who are not among the newest 50: listed first, ticked
    others = [p for p in await asyncio.gather(*(_found(patients, pid) for pid in sent)) if p is not None]
    context: dict[str, Any] = {
        "title": "一括印刷",
        "patients": [*others, *newest],
        "sessions": sessions,
        "may_review": may_review,
        "chosen": chosen,
        "genre": genre,
        "genres": [(value, label, v.genre_titles(value, forms)) for value, label in GENRES],
        "typed": typed or {},
        "errors": errors or {},
        "recent": recent,
        "board_forms": v.BOARD_BATCH_FORMS,
        "contact_forms": v.CONTACT_BATCH_FORMS,
        "ticked": ticked,
    }
    return render(request, "documents/batch_new.html", context, status_code=status_code)


async def _nothing() -> list[dict[str, Any]]:
    return []


@router.post("/batches")
async def request_batch(request: Request, reports: ReportsDep, patients: PatientsDep) -> Response:
    """Starts a batch and opens its progress page; what is missing for the genre (the patients, the session, the
    day), or refused by reports, is said beside its field."""
    posted = await request.form()
    genre = str(posted.get("genre") or "")
    chosen = [str(p) for p in posted.getlist("patient_id")]
    typed = {key: str(posted.get(key) or "").strip() for key in ("session_id", "day", "place")}
    ticked = {
        "診査会": [str(f) for f in posted.getlist("board_form")],
        "接触者健診": [str(f) for f in posted.getlist("contact_form")],
    }
    errors: dict[str, str] = {}
    options: dict[str, str] = {}
    if genre in ticked and not ticked[genre]:
        errors["forms"] = "印刷する帳票を1つ以上選んでください。"
    if genre == "診査会":
        if not typed["session_id"]:
            errors["session_id"] = "印刷する診査会を選んでください。"
        options = {"session_id": typed["session_id"]}
    elif genre == "接触者健診":
        day = v.typed_date(typed["day"], errors)
        options = {"day": day or "", "place": typed["place"]}
    elif not chosen:
        errors["patient_id"] = "印刷する患者を1人以上選んでください。"
    if not errors:
        try:
            forms = ticked.get(genre)
            result = await reports.request_batch(genre, chosen if genre == "患者管理" else [], forms=forms, **options)
        except PageNotFound as exc:  # the session has not reached reports yet
            result = SaveResult(errors={"session_id": exc.message})
        if result.record is not None:
            return RedirectResponse(f"/documents/batches/{result.record['id']}", status_code=303)
        errors = {FIELDS.get(k, "genre"): m for k, m in (result.errors or {}).items()}
        errors = errors or {"genre": result.conflict or "一括印刷を開始できませんでした。"}
    return await _batch_form(
        request, reports, patients, chosen=set(chosen), genre=genre, typed=typed, ticked=ticked, errors=errors,
        status_code=422,
    )  # fmt: skip


# reports' field names and the page's
FIELDS = {
    "patient_ids": "patient_id", "session_id": "session_id", "day": "day", "place": "place", "genre": "genre",
    "forms": "forms",
}  # fmt: skip


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


async def _found(patients: PatientsDep, patient_id: str) -> dict[str, Any] | None:
    """A patient sent to the batch page, or None when the id is not a patient's (or not one the user may read)."""
    try:
        uuid.UUID(patient_id)
        return await patients.patient(patient_id)
    except (ValueError, PageError):
        return None
