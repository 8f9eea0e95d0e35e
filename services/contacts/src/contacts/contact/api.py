"""HTTP API of contacts (接触者)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from tbms_core.csv_export import CsvFormatDep, csv_response
from tbms_core.jp.gaiji import load_policy
from tbms_core.web import MAX_OFFSET

from contacts.contact.schemas import (
    ContactChange,
    ContactCounts,
    ContactCreate,
    ContactEnd,
    ContactFilter,
    ContactPage,
    ContactRead,
    DuplicatePage,
    DuplicateQuery,
    ExposureAdd,
    ExposureChange,
)
from contacts.deps import MAY_CHANGE, MAY_READ, ContactServiceDep
from contacts.history.schemas import HistoryEntryRead, HistoryRead
from contacts.settings import get_settings

router = APIRouter(prefix="/contacts", tags=["接触者"])


@router.get("", dependencies=MAY_READ)
async def list_contacts(
    contacts: ContactServiceDep,
    criteria: Annotated[ContactFilter, Query()],
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> ContactPage:
    """The screening list: contacts filtered by due, district, setting, priority, index patient and status."""
    items, total = await contacts.page(criteria, limit=limit, offset=offset)
    return ContactPage(items=items, total=total)


@router.get("/counts", dependencies=MAY_READ)
async def count_contacts(index_patient_id: uuid.UUID, contacts: ContactServiceDep) -> ContactCounts:
    """How many contacts an index patient has and how many are overdue (counts only: not audited as a read)."""
    return await contacts.counts(index_patient_id)


@router.get(
    "/export",
    dependencies=MAY_READ,
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "UTF-8 (BOM付き) または Shift_JIS (CP932) のCSV"}},
)
async def export_contacts(
    criteria: Annotated[ContactFilter, Query()], written: CsvFormatDep, contacts: ContactServiceDep
) -> Response:
    """The screening list as CSV for Excel; more than 100,000 rows are refused, never cut."""
    export = await contacts.export(criteria)
    settings = get_settings()
    # the 外字 master's substitutes in force; the settings' table only for a character the master has nothing for
    policy = load_policy(settings.gaiji_mode, settings.gaiji_substitutes_file, export.substitutes)
    return csv_response(export.filename, export.header, export.rows, written=written, policy=policy)


@router.post("/duplicates", dependencies=MAY_READ)
async def find_duplicates(query: DuplicateQuery, contacts: ContactServiceDep) -> DuplicatePage:
    """Contacts who may already be the person being registered (same birth date and name or カナ, or phone), and
    registered patients who may be them (same birth date and name or カナ)."""
    return DuplicatePage(items=await contacts.duplicates(query), patients=await contacts.patient_duplicates(query))


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def register_contact(data: ContactCreate, contacts: ContactServiceDep) -> ContactRead:
    """Registers a contact with the exposures to one or more index patients."""
    return await contacts.read_model(await contacts.register(data))


@router.get("/{contact_id}", dependencies=MAY_READ)
async def view_contact(contact_id: uuid.UUID, contacts: ContactServiceDep) -> ContactRead:
    """One contact with the suggested priority and the screening plan."""
    return await contacts.view(contact_id)


@router.patch("/{contact_id}", dependencies=MAY_CHANGE)
async def correct_contact(contact_id: uuid.UUID, data: ContactChange, contacts: ContactServiceDep) -> ContactRead:
    """Corrects a contact (修正), the priority override and the outcome; 409 when somebody saved first."""
    return await contacts.read_model(await contacts.correct(contact_id, data))


@router.post("/{contact_id}/exposures", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def add_exposure(contact_id: uuid.UUID, data: ExposureAdd, contacts: ContactServiceDep) -> ContactRead:
    """Links the contact to another index patient."""
    return await contacts.read_model(await contacts.add_exposure(contact_id, data))


@router.patch("/{contact_id}/exposures/{exposure_id}", dependencies=MAY_CHANGE)
async def correct_exposure(
    contact_id: uuid.UUID, exposure_id: uuid.UUID, data: ExposureChange, contacts: ContactServiceDep
) -> ContactRead:
    """Corrects one exposure; the plan's dates follow; 409 when somebody saved first."""
    return await contacts.read_model(await contacts.correct_exposure(contact_id, exposure_id, data))


@router.post("/{contact_id}/end", dependencies=MAY_CHANGE)
async def end_contact(contact_id: uuid.UUID, data: ContactEnd, contacts: ContactServiceDep) -> ContactRead:
    """Ends the follow-up (終了) or excludes the contact (対象外); the record is kept."""
    return await contacts.read_model(await contacts.end(contact_id, data))


@router.get("/{contact_id}/history", dependencies=MAY_READ)
async def contact_history(contact_id: uuid.UUID, contacts: ContactServiceDep) -> HistoryRead:
    """The contact's edit history (修正履歴), newest first."""
    rows = await contacts.history(contact_id)
    return HistoryRead(items=[HistoryEntryRead.model_validate(row) for row in rows])
