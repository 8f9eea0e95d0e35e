"""Patient pages: registration with the duplicate check, the list, the patient page and its 基本情報 correction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from gateway.card_forms import basic_fields, registration_fields
from gateway.clients import Backend
from gateway.deps import BackendDep, LoginDep
from gateway.forms import DatePreview, EntryForm, preview_date
from gateway.patient_page import after_save, show_patient
from gateway.reference import card_codes, definitions_today
from gateway.routes import patient_card, patient_records
from gateway.templating import render

router = APIRouter(prefix="/patients", tags=["患者"])
router.include_router(patient_card.router)
router.include_router(patient_records.router)
PRINTABLE_FORMS = frozenset({"F03"})


async def _form_page(
    request: Request,
    backend: Backend,
    form: EntryForm,
    *,
    duplicates: Sequence[dict[str, Any]] = (),
    status_code: int = 200,
) -> Response:
    preview = preview_date(form.value("birth_date"))
    if "birth_date" in form.errors:
        preview = DatePreview(text=preview.text)  # the field's own message already says what is wrong
    guardian = form.group("guardian.")
    context = {
        "form": form,
        "codes": await card_codes(request, backend),
        "title": "患者登録",
        "birth_preview": preview,
        "nav_path": "/patients/new",
        "duplicates": duplicates,
        "guardian_open": any(form.value(f.name) or f.name in form.errors for f in guardian),
    }
    return render(request, "patients/new.html", context, status_code=status_code)


@router.get("/new")
async def new_patient(request: Request, backend: BackendDep) -> Response:
    """The empty registration form."""
    fields = registration_fields(await definitions_today(backend))
    return await _form_page(request, backend, EntryForm(fields, {"category": "patient"}))


@router.post("")
async def register_patient(request: Request, backend: BackendDep) -> Response:
    """Registers a patient after the duplicate check; a wrong field shows the form again with every value kept."""
    posted = await request.form()
    form = EntryForm.posted(registration_fields(await definitions_today(backend)), posted)
    candidates = await backend.possible_duplicates(
        form.value("name"), form.value("name_kana"), form.value("birth_date")
    )
    if candidates and not _confirmed_distinct(posted, candidates):
        return await _form_page(request, backend, form, duplicates=candidates)
    result = await backend.register_patient(form.json())
    if result.errors is not None:
        form.place(result.errors)
        return await _form_page(request, backend, form, status_code=422)
    return RedirectResponse(f"/patients/{result.patient['id']}", status_code=303)  # type: ignore[index]


def _confirmed_distinct(posted: FormData, candidates: Sequence[dict[str, Any]]) -> bool:
    """True when the user ticked 別人 after seeing every one of these candidates (not only earlier ones)."""
    seen = set(str(posted.get("checked_duplicates") or "").split())
    return posted.get("confirm_distinct") == "yes" and {str(c["id"]) for c in candidates} <= seen


@router.get("/birth-date-preview")
async def birth_date_preview(request: Request, _: LoginDep, birth_date: str = "") -> Response:
    """The typed 生年月日 read back in 和暦 and 西暦 (an htmx fragment)."""
    return render(request, "patients/_date_preview.html", {"preview": preview_date(birth_date)})


@router.get("")
async def list_patients(request: Request, backend: BackendDep) -> Response:
    """The newest registered patients."""
    page = await backend.patients(limit=50)
    return render(request, "patients/list.html", {"page": page, "title": "患者一覧"})


@router.get("/{patient_id:uuid}")
async def view_patient(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """The patient page: header, every section of the card, care records, 菌検査 and 修正履歴."""
    return await show_patient(request, backend, patient_id)


@router.post("/{patient_id:uuid}/edit")
async def correct_patient(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """Saves a correction of 基本情報; a wrong field or a newer save by someone else shows the page again."""
    form = EntryForm.posted(basic_fields(await definitions_today(backend)), await request.form())
    saved = await backend.correct_patient(str(patient_id), form.version, form.json(), form.value("reason"))
    return await after_save(request, backend, patient_id, key="basic", form=form, saved=saved, anchor="basic-title")


@router.post("/{patient_id:uuid}/documents")
async def print_form(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """Generates a form (F03 結核登録票) for the patient and opens the PDF."""
    form_code = str((await request.form()).get("form") or "F03")
    document = await backend.create_document(form_code if form_code in PRINTABLE_FORMS else "F03", str(patient_id))
    return RedirectResponse(f"/documents/{document['id']}", status_code=303)
