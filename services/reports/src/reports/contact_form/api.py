"""HTTP API of the contact screening forms (F18 勧告書, F19 受診票, F25 受付簿, F05 家族・接触者健診実施状況)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from reports.contact_form.service import ContactFormService

router = APIRouter(tags=["接触者健診の帳票"])
PDF = {200: {"content": {"application/pdf": {}}, "description": "A4のPDF"}}


def get_forms(request: Request, session: SessionDep, principal: PrincipalDep) -> ContactFormService:
    """The contact form service of this request."""
    return ContactFormService(session, principal, request.app.state.renderer)


Forms = Annotated[ContactFormService, Depends(get_forms)]


def _pdf(content: bytes, filename: str) -> Response:
    disposition = f"inline; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/contact-forms/{contact_id}/{form}", response_class=Response, responses=PDF)
async def print_contact_form(
    contact_id: uuid.UUID, form: str, forms: Forms, record_id: uuid.UUID | None = None
) -> Response:
    """F18 勧告書 (record_id: the 勧告) or F19 受診票 (record_id: the examination) for a contact; the latest
    when none is named. Refused with the list of missing items when one would print empty (audited as a print)."""
    return _pdf(*await forms.contact_form(contact_id, form, record_id))


@router.get("/reception-registers/F25", response_class=Response, responses=PDF)
async def print_reception_register(
    forms: Forms, day: date, place: Annotated[str, Query(min_length=1, max_length=200)]
) -> Response:
    """F25 受付簿: the contacts received on the day at the place, in receipt-number order."""
    return _pdf(*await forms.reception_register(day, place))


@router.get("/index-contacts/{patient_id}/F05", response_class=Response, responses=PDF)
async def print_index_status(patient_id: uuid.UUID, forms: Forms) -> Response:
    """F05 家族・接触者健診実施状況 for an index patient: each contact, the exposure, exams and results."""
    return _pdf(*await forms.index_status(patient_id))
