"""The patient page as the routes answer with it: read, shown again with a refused form, or left after a save."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from tbms_core import clock
from tbms_core.auth import Access, Area

from gateway.clients.base import SaveResult
from gateway.clients.contacts import ContactsClient
from gateway.clients.masters import MastersClient
from gateway.clients.patients import PatientsClient
from gateway.clients.workflow import WorkflowClient
from gateway.forms import EntryForm
from gateway.forms.my_number import my_number_warnings
from gateway.pages.patients.entry_forms.card import CONTACT, GUARDIAN, PERSON, SECTIONS, registration_items
from gateway.pages.patients.entry_forms.care import CARE_KINDS, CareKind
from gateway.pages.patients.view import PatientPageData, page_entry_forms, patient_page_context
from gateway.web.deps import ContactsDep, MastersDep, PatientsDep, WorkflowDep
from gateway.web.errors import PageError, PageNotFound
from gateway.web.permissions import allows
from gateway.web.templating import flash, render


async def definitions_today(patients: PatientsClient) -> list[dict[str, Any]]:
    """The configurable fields in use today (Asia/Tokyo), read fresh: an administrator may just have added one."""
    return await patients.custom_field_definitions(clock.today().isoformat())


async def load_patient_page(patients: PatientsClient, masters: MastersClient, patient_id: str) -> PatientPageData:
    """Reads the patient's whole record in one call, with the code lists, the field definitions and districts."""
    record, codes, definitions, districts = await asyncio.gather(
        patients.patient_record(patient_id), patients.card_codes(), definitions_today(patients), masters.districts()
    )
    return PatientPageData.of_record(record, codes, definitions, districts)


# The patient's items in Japanese, by the names the patients service gives a change after approval (R10).
CHANGED_FIELD_LABELS = {f.name: f.label for f in (*PERSON, *CONTACT, *GUARDIAN, *registration_items(()))} | {
    key: section.title for key, section in SECTIONS.items()
}


@dataclass(frozen=True)
class PatientPage:
    """The patient page for one request: shown, shown again with a refused form, or left after a save."""

    request: Request
    patients: PatientsClient
    masters: MastersClient
    contacts: ContactsClient
    workflow: WorkflowClient

    async def show(
        self, patient_id: uuid.UUID, *, failed: Mapping[str, EntryForm] | None = None, status_code: int = 200
    ) -> Response:
        """Renders the patient page; a refused form replaces the stored-values form with the same key."""
        data, contacts, circulations = await asyncio.gather(
            load_patient_page(self.patients, self.masters, str(patient_id)),
            self.contacts_count(patient_id),
            self.workflow.of_record("patients", "patient", str(patient_id)),
        )
        # After a 409 the form keeps what was typed and the version it was based on: it sends every item of its
        # section, so saving it again must not overwrite the other person's change unseen (the user reloads first).
        forms = page_entry_forms(data) | dict(failed or {})
        context = patient_page_context(data, forms) | {
            "contacts": contacts,
            "circulations": circulations,
            "field_labels": CHANGED_FIELD_LABELS,
        }
        return render(self.request, "patients/detail.html", context, status_code=status_code)

    async def contacts_count(self, patient_id: uuid.UUID) -> dict[str, Any] | None:
        """How many contacts the patient has as an index patient, for users who may read contacts (R12); the
        page opens without the number while contacts cannot say."""
        session = getattr(self.request.state, "session", None)
        if not allows(session.user if session else None, Area.CONTACTS, Access.READ):
            return None
        try:
            return await self.contacts.counts(str(patient_id))
        except PageError:
            return {"total": None}

    async def after_save(
        self,
        patient_id: uuid.UUID,
        *,
        key: str,
        form: EntryForm,
        saved: SaveResult,
        anchor: str,
        aliases: Mapping[str, str] | None = None,
        note: str = "",
    ) -> Response:
        """Back to the section after a save (with `note`, e.g. what the outputs make of a name's 外字); else the page
        again with the form as typed and why it was refused."""
        if saved.record is not None:
            flash(self.request, f"保存しました。{note}", target=anchor)
            return RedirectResponse(f"/patients/{patient_id}#{anchor}", status_code=303)
        form.place(saved.errors or {}, aliases)
        form.conflict = saved.conflict or ""
        status = 409 if form.conflict else 422
        return await self.show(patient_id, failed={key: form}, status_code=status)

    async def held_here(self, patient_id: uuid.UUID, key: str, form: EntryForm, posted: FormData) -> Response | None:
        """The page again with what the gateway refuses itself: the checks the browser makes before sending
        (EntryForm.checked_here, in the same words), then the 個人番号 warning beside each free-text field that
        holds what looks like one (N17) unless the user confirmed it; None when the form may be saved."""
        warnings = form.checked_here() or my_number_warnings(form, posted)
        if not warnings:
            return None
        form.place(warnings)
        return await self.show(patient_id, failed={key: form}, status_code=422)

    async def refused_here(self, patient_id: uuid.UUID, key: str, form: EntryForm) -> Response:
        """The page again with a form the gateway itself refused (e.g. a required reason left empty)."""
        return await self.show(patient_id, failed={key: form}, status_code=422)


def get_patient_page(
    request: Request, patients: PatientsDep, masters: MastersDep, contacts: ContactsDep, workflow: WorkflowDep
) -> PatientPage:
    """The patient page of this request, reading as the logged-in user."""
    return PatientPage(request, patients, masters, contacts, workflow)


PatientPageDep = Annotated[PatientPage, Depends(get_patient_page)]


def care_kind(path: str) -> CareKind:
    """The care kind of a URL segment; an unknown one is a missing page."""
    kind = CARE_KINDS.get(path)
    if kind is None:
        raise PageNotFound()
    return kind
