"""Patient pages: registration with the duplicate check, the list, the patient page and its 基本情報 correction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from gateway.clients.patients import PatientsClient
from gateway.forms import DatePreview, EntryForm, preview_date
from gateway.pages.patients import card_routes, export_routes, record_routes
from gateway.pages.patients.entry_forms.card import basic_fields, registration_fields
from gateway.pages.patients.page import PatientPageDep, definitions_today
from gateway.web.deps import LoginDep, MastersDep, PatientsDep, ReportsDep
from gateway.web.templating import render

router = APIRouter(prefix="/patients", tags=["患者"])
router.include_router(export_routes.router)
router.include_router(card_routes.router)
router.include_router(record_routes.router)
PRINTABLE_FORMS = frozenset({"F03", "F06", "F08", "F29"})


async def _form_page(
    request: Request,
    patients: PatientsClient,
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
        "codes": await patients.card_codes(),
        "title": "患者登録",
        "birth_preview": preview,
        "nav_path": "/patients/new",
        "duplicates": duplicates,
        "guardian_open": any(form.value(f.name) or f.name in form.errors for f in guardian),
    }
    return render(request, "patients/new.html", context, status_code=status_code)


@router.get("/new")
async def new_patient(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """The empty registration form."""
    fields = registration_fields(await definitions_today(patients), await masters.districts())
    return await _form_page(request, patients, EntryForm(fields, {"category": "patient"}))


@router.post("")
async def register_patient(request: Request, patients: PatientsDep, masters: MastersDep) -> Response:
    """Registers a patient after the duplicate check; a wrong field shows the form again with every value kept."""
    posted = await request.form()
    fields = registration_fields(await definitions_today(patients), await masters.districts())
    form = EntryForm.posted(fields, posted)
    candidates = await patients.possible_duplicates(
        form.value("name"), form.value("name_kana"), form.value("birth_date")
    )
    if candidates and not _confirmed_distinct(posted, candidates):
        return await _form_page(request, patients, form, duplicates=candidates)
    result = await patients.register_patient(form.json())
    if result.errors is not None:
        form.place(result.errors)
        return await _form_page(request, patients, form, status_code=422)
    return RedirectResponse(f"/patients/{result.record['id']}", status_code=303)  # type: ignore[index]


def _confirmed_distinct(posted: FormData, candidates: Sequence[dict[str, Any]]) -> bool:
    """True when the user ticked 別人 after seeing every one of these candidates (not only earlier ones)."""
    seen = set(str(posted.get("checked_duplicates") or "").split())
    return posted.get("confirm_distinct") == "yes" and {str(c["id"]) for c in candidates} <= seen


@router.get("/birth-date-preview")
async def birth_date_preview(request: Request, _: LoginDep, birth_date: str = "") -> Response:
    """The typed 生年月日 read back in 和暦 and 西暦 (an htmx fragment)."""
    return render(request, "patients/_date_preview.html", {"preview": preview_date(birth_date)})


@router.get("")
async def list_patients(request: Request, patients: PatientsDep) -> Response:
    """The newest registered patients."""
    page = await patients.patients(limit=50)
    return render(request, "patients/list.html", {"page": page, "title": "患者一覧"})


@router.get("/{patient_id:uuid}")
async def view_patient(patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """The patient page: header, every section of the card, care records, 菌検査 and 修正履歴."""
    return await page.show(patient_id)


@router.post("/{patient_id:uuid}/edit")
async def correct_patient(request: Request, patient_id: uuid.UUID, page: PatientPageDep) -> Response:
    """Saves a correction of 基本情報; a wrong field or a newer save by someone else shows the page again."""
    fields = basic_fields(await definitions_today(page.patients), await page.masters.districts())
    form = EntryForm.posted(fields, await request.form())
    saved = await page.patients.correct_patient(str(patient_id), form.version, form.json(), form.value("reason"))
    return await page.after_save(patient_id, key="basic", form=form, saved=saved, anchor="basic-title")


@router.post("/{patient_id:uuid}/documents")
async def print_form(request: Request, patient_id: uuid.UUID, reports: ReportsDep) -> Response:
    """Generates a form (F03 結核登録票, F06 経過記録, F08 行動調査票, F29 管理検診お知らせ) and opens the PDF."""
    form_code = str((await request.form()).get("form") or "F03")
    document = await reports.create_document(form_code if form_code in PRINTABLE_FORMS else "F03", str(patient_id))
    return RedirectResponse(f"/documents/{document['id']}", status_code=303)
