"""HTTP API of the contact screening forms (F18 勧告書, one contact's or many merged, F19 受診票, F21–F24, F26, F25
受付簿, F05 家族・接触者健診実施状況)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from reports.contact_form.service import ContactFormService
from reports.deps import RendererDep, StoreDep
from reports.document.filing import Printed, printed_headers

router = APIRouter(tags=["接触者健診の帳票"])
PDF = {200: {"content": {"application/pdf": {}}, "description": "A4のPDF"}}


def get_forms(
    session: SessionDep, principal: PrincipalDep, store: StoreDep, renderer: RendererDep
) -> ContactFormService:
    """The contact form service of this request."""
    return ContactFormService(session, principal, store, renderer)


Forms = Annotated[ContactFormService, Depends(get_forms)]


def _pdf(printed: Printed, filename: str) -> Response:
    """The printed PDF, naming the document it was filed as (X-Document-Ids)."""
    return Response(printed.pdf, media_type="application/pdf", headers=printed_headers(printed, filename))


@router.get("/contact-letters/F18", response_class=Response, responses=PDF)
async def print_recommendation_letters(
    forms: Forms, contact_id: Annotated[list[uuid.UUID], Query(min_length=1, max_length=300)]
) -> Response:
    """F18 勧告書 of many contacts at once (contact_id repeated: all contacts of an index patient, a group…), each
    contact's latest 勧告 in force, merged into one A4 PDF in the order given; each letter is filed as a document of
    its contact (their ids in X-Document-Ids). Refused, printing nothing, with each contact that lacks an item."""
    return _pdf(*await forms.recommendation_letters(contact_id))


@router.get("/contact-forms/{contact_id}/{form}", response_class=Response, responses=PDF)
async def print_contact_form(
    contact_id: uuid.UUID, form: str, forms: Forms, record_id: uuid.UUID | None = None
) -> Response:
    """A form of one contact: F18 勧告書 (record_id: the 勧告), F19 受診票 (record_id: the examination), F21, F22,
    F23, F24 or F26; the latest when none is named. Refused with the list of missing items when one would print
    empty; filed as a document of the contact (its id in X-Document-Ids)."""
    return _pdf(*await forms.contact_form(contact_id, form, record_id))


@router.get("/reception-registers/F25", response_class=Response, responses=PDF)
async def print_reception_register(
    forms: Forms, day: date, place: Annotated[str, Query(min_length=1, max_length=200)]
) -> Response:
    """F25 受付簿: the contacts received on the day at the place, in receipt-number order; filed with that
    screening day (owner_type=screening_day)."""
    return _pdf(*await forms.reception_register(day, place))


@router.get("/index-contacts/{patient_id}/F05", response_class=Response, responses=PDF)
async def print_index_status(patient_id: uuid.UUID, forms: Forms) -> Response:
    """F05 家族・接触者健診実施状況 for an index patient: each contact, the exposure, exams and results; filed as a
    document of the patient."""
    return _pdf(*await forms.index_status(patient_id))


@router.get("/screening-days/F24", response_class=Response, responses=PDF)
async def print_day_irradiation_record(
    forms: Forms, day: date, place: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    """F24 照射録 of a screening day: every chest X-ray the health center took on the day (at the place, when one
    is named), in receipt-number order; refused with what is missing (a day without X-rays, conditions not
    entered); filed with that screening day (owner_type=screening_day)."""
    return _pdf(*await forms.day_irradiation_record(day, place.strip()))
