"""Patient pages: registration, list, the patient page with its header (R30), 修正履歴 (R21) and 菌検査 (R04)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from gateway.clients import Backend
from gateway.deps import BackendDep, LoginDep
from gateway.forms import (
    CULTURE_MEDIA,
    CULTURE_RESULTS,
    DRUGS,
    DST_CHOICES,
    EDIT_FIELDS,
    LAB_FIELDS,
    LAB_KINDS,
    PATIENT_FIELDS,
    SMEAR_GRADES,
    SPECIMENS,
    DatePreview,
    LabForm,
    PatientEditForm,
    PatientForm,
    preview_date,
)
from gateway.templating import render

router = APIRouter(prefix="/patients", tags=["患者"])
PRINTABLE_FORMS = frozenset({"F03"})
LAB_CHOICES = {
    "kind": LAB_KINDS,
    "specimen": {s: s for s in SPECIMENS},
    "grade": {g: g for g in SMEAR_GRADES},
    "medium": {m: m for m in CULTURE_MEDIA},
    "culture_result": {r: r for r in CULTURE_RESULTS},
    "dst": {c: c for c in DST_CHOICES},
}


def _form_page(request: Request, form: PatientForm, status_code: int = 200) -> Response:
    preview = preview_date(form.values.get("birth_date", ""))
    if "birth_date" in form.errors:
        preview = DatePreview(text=preview.text)  # the field's own message already says what is wrong
    context = {
        "form": form,
        "fields": {f.name: f for f in PATIENT_FIELDS},
        "title": "患者登録",
        "birth_preview": preview,
        "nav_path": "/patients/new",
    }
    return render(request, "patients/new.html", context, status_code=status_code)


@router.get("/new")
async def new_patient(request: Request, _: LoginDep) -> Response:
    """The empty registration form."""
    return _form_page(request, PatientForm())


@router.post("")
async def register_patient(request: Request, backend: BackendDep) -> Response:
    """Registers a patient; on a wrong field shows the form again with every value kept."""
    form = PatientForm.from_form(await request.form())
    result = await backend.register_patient(form.payload())
    if result.errors is not None:
        form.errors = result.errors
        return _form_page(request, form, status_code=422)
    return RedirectResponse(f"/patients/{result.patient['id']}", status_code=303)  # type: ignore[index]


@router.get("/birth-date-preview")
async def birth_date_preview(request: Request, _: LoginDep, birth_date: str = "") -> Response:
    """The typed 生年月日 read back in 和暦 and 西暦 (an htmx fragment)."""
    return render(request, "patients/_date_preview.html", {"preview": preview_date(birth_date)})


@router.get("")
async def list_patients(request: Request, backend: BackendDep) -> Response:
    """The newest registered patients."""
    page = await backend.patients(limit=50)
    return render(request, "patients/list.html", {"page": page, "title": "患者一覧"})


def latest_labs(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The newest smear and the newest culture (results come newest collection first)."""
    latest: dict[str, dict[str, Any]] = {}
    for result in results:
        if result.get("kind") in ("smear", "culture"):
            latest.setdefault(str(result["kind"]), result)
    return latest


async def _patient_page(
    request: Request,
    backend: Backend,
    patient_id: uuid.UUID,
    *,
    edit: PatientEditForm | None = None,
    lab: LabForm | None = None,
    status_code: int = 200,
) -> Response:
    pid = str(patient_id)
    patient, history, results = await asyncio.gather(
        backend.patient(pid), backend.patient_history(pid), backend.lab_results(pid)
    )
    # After a 409 the form keeps what was typed and the version it was based on: the form sends every field, so
    # saving it again must not overwrite the other person's change; the user reopens the record to continue.
    edit = edit or PatientEditForm.of_patient(patient)
    context = {
        "patient": patient,
        "title": patient.get("name", "患者"),
        "history": history,
        "lab_results": results,
        "latest_labs": latest_labs(results),
        "has_mdr": any(r.get("mdr") for r in results),
        "edit": edit,
        "edit_fields": {f.name: f for f in EDIT_FIELDS},
        "lab": lab or LabForm(),
        "lab_fields": {f.name: f for f in LAB_FIELDS},
        "lab_choices": LAB_CHOICES,
        "drugs": DRUGS,
    }
    return render(request, "patients/detail.html", context, status_code=status_code)


@router.get("/{patient_id:uuid}")
async def view_patient(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """The patient page: header, registration data, correction form, 修正履歴 and 菌検査."""
    return await _patient_page(request, backend, patient_id)


@router.post("/{patient_id:uuid}/edit")
async def correct_patient(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """Saves a correction; a wrong field or a newer save by someone else shows the page again, input kept."""
    form = PatientEditForm.from_form(await request.form())
    saved = await backend.correct_patient(str(patient_id), form.version, form.changes(), form.values["reason"])
    if saved.record is not None:
        return RedirectResponse(f"/patients/{patient_id}#history-title", status_code=303)
    form.errors, form.conflict = saved.errors or {}, saved.conflict or ""
    return await _patient_page(request, backend, patient_id, edit=form, status_code=409 if form.conflict else 422)


@router.post("/{patient_id:uuid}/lab-results")
async def record_lab_result(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """Records a smear, culture or DST result; a wrong field shows the form again with everything kept."""
    form = LabForm.from_form(await request.form())
    saved = await backend.record_lab_result(str(patient_id), form.payload())
    if saved.record is not None:
        return RedirectResponse(f"/patients/{patient_id}#labs-title", status_code=303)
    form.set_errors(saved.errors or {"_": saved.conflict or "検査結果を登録できませんでした。"})
    return await _patient_page(request, backend, patient_id, lab=form, status_code=422)


@router.post("/{patient_id:uuid}/documents")
async def print_form(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """Generates a form (F03 結核登録票) for the patient and opens the PDF."""
    form_code = str((await request.form()).get("form") or "F03")
    document = await backend.create_document(form_code if form_code in PRINTABLE_FORMS else "F03", str(patient_id))
    return RedirectResponse(f"/documents/{document['id']}", status_code=303)
