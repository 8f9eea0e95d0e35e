"""Patient pages: registration form, list, and the patient page with its header (R30)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from gateway.deps import BackendDep, LoginDep
from gateway.forms import PATIENT_FIELDS, DatePreview, PatientForm, preview_date
from gateway.templating import render

router = APIRouter(prefix="/patients", tags=["患者"])
PRINTABLE_FORMS = frozenset({"F03"})


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


@router.get("/{patient_id:uuid}")
async def view_patient(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """The patient page, headed by the patient's key facts."""
    patient = await backend.patient(str(patient_id))
    return render(request, "patients/detail.html", {"patient": patient, "title": patient.get("name", "患者")})


@router.post("/{patient_id:uuid}/documents")
async def print_form(request: Request, patient_id: uuid.UUID, backend: BackendDep) -> Response:
    """Generates a form (F03 結核登録票) for the patient and opens the PDF."""
    form_code = str((await request.form()).get("form") or "F03")
    document = await backend.create_document(form_code if form_code in PRINTABLE_FORMS else "F03", str(patient_id))
    return RedirectResponse(f"/documents/{document['id']}", status_code=303)
