"""HTTP API of printable forms: the list, the missing-data check, the preview and the template versions."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, status
from fastapi.responses import Response

from reports.deps import DocumentServiceDep, FormTemplateServiceDep
from reports.form_template.schemas import (
    FormCheck,
    FormRead,
    FormTemplateCreate,
    FormTemplateRead,
    FormTemplateSource,
)

router = APIRouter(prefix="/forms", tags=["帳票・資料"])


@router.get("")
async def list_forms(service: FormTemplateServiceDep) -> list[FormRead]:
    """Every printable form with its genre and required items."""
    return service.forms()


@router.get("/{form_id}/check")
async def check_form(
    form_id: str, patient_id: uuid.UUID, service: DocumentServiceDep, on: date | None = None
) -> FormCheck:
    """Which required items of the form would print empty for the patient (printing anyway stays allowed)."""
    return await service.check(form_id, patient_id, on)


@router.get("/{form_id}/preview")
async def preview_form(
    form_id: str,
    patient_id: uuid.UUID,
    service: DocumentServiceDep,
    on: date | None = None,
    template_id: uuid.UUID | None = None,
) -> Response:
    """The form as it would print for the patient (a chosen template version, else the one in force); not stored."""
    pdf = await service.preview(form_id, patient_id, on, template_id)
    headers = {"Content-Disposition": f'inline; filename="preview-{form_id}.pdf"', "Cache-Control": "no-store"}
    return Response(pdf, media_type="application/pdf", headers=headers)


@router.get("/{form_id}/templates")
async def list_templates(form_id: str, service: FormTemplateServiceDep) -> list[FormTemplateRead]:
    """The versions of a form's template, latest effective first, with the one in force today marked."""
    return await service.versions(form_id)


@router.get("/{form_id}/templates/source")
async def template_source(
    form_id: str, service: FormTemplateServiceDep, template_id: uuid.UUID | None = None
) -> FormTemplateSource:
    """The HTML and CSS of a version of the form's template (the built-in files when none is named): what a new
    version is written from."""
    return await service.source(form_id, template_id)


@router.post("/{form_id}/templates", status_code=status.HTTP_201_CREATED)
async def upload_template(form_id: str, data: FormTemplateCreate, service: FormTemplateServiceDep) -> FormTemplateRead:
    """Uploads a new version of the form's template (様式改正) in force from its effective date."""
    return FormTemplateRead.model_validate(await service.upload(form_id, data))
