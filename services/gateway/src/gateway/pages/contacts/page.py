"""The contact page as the routes answer with it: read, shown again with a refused form, or left after a save.

Every form of the page is built from what is stored; a refused one (422, or 409 when someone saved first)
replaces it, keeping what the user typed and the version it was based on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from gateway.clients.base import SaveResult
from gateway.clients.contacts import ContactsClient
from gateway.clients.masters import MastersClient
from gateway.clients.workflow import WorkflowClient
from gateway.forms import EntryForm
from gateway.pages.contacts import entry_forms as ef
from gateway.pages.contacts.view import (
    END_REASON_LABELS,
    FIELD_LABELS,
    OUTCOME_LABELS,
    due_view,
    exam_result,
    exposure_facts,
    history_view,
    person_facts,
    plan_view,
    state_label,
    with_nurses,
)
from gateway.web.deps import ContactsDep, MastersDep, WorkflowDep
from gateway.web.templating import flash, render


def page_forms(contact: Mapping[str, Any], prefill: Mapping[str, str]) -> dict[str, EntryForm]:
    """Every form of the contact page keyed by its form id, showing what is stored."""
    version = contact.get("version")
    priority = contact.get("priority") or {}
    forms = {
        "person": EntryForm.filled(ef.identity_fields(), contact, version),
        "priority": EntryForm.filled(
            ef.priority_fields(),
            {"priority_override": priority.get("override", ""), "priority_reason": priority.get("override_reason", "")},
            version,
        ),
        "outcome": EntryForm.filled(ef.outcome_fields(), contact, version),
        "end": EntryForm(ef.end_fields(), version=str(version or "")),
        "rec-new": EntryForm(ef.recommendation_fields()),
        "exam-new": EntryForm(ef.new_exam_fields(), {"kind": prefill.get("kind", ""), **_planned(prefill)}),
    }
    for found in contact.get("recommendations") or []:
        if found.get("status") == "cancelled":
            continue
        fields = ef.recommendation_change_fields(str(found["id"]))
        forms[f"rec-{found['id']}"] = EntryForm.filled(fields, found, found.get("version"))
        cancel = ef.recommendation_cancel_fields(str(found["id"]))
        forms[f"rec-cancel-{found['id']}"] = EntryForm(cancel, version=str(found.get("version") or ""))
    for exposure in contact.get("exposures") or []:
        forms[f"exp-{exposure['id']}"] = EntryForm.filled(ef.exposure_fields(str(exposure["id"])), exposure, version)
    for exam in contact.get("exams") or []:
        if exam.get("status") != "cancelled":
            forms[f"exam-{exam['id']}"] = ef.filled_exam(exam)
            forms[f"cancel-{exam['id']}"] = EntryForm(ef.cancel_fields(str(exam["id"])), version=str(exam["version"]))
            forms[f"appt-{exam['id']}"] = ef.filled_appointment(exam)
            forms[f"recv-{exam['id']}"] = EntryForm(ef.reception_fields(str(exam["id"])), version=str(exam["version"]))
    return forms


def _planned(prefill: Mapping[str, str]) -> dict[str, str]:
    """A plan item's due date as the new exam's 予定日 (short 和暦, as the form shows dates)."""
    if not prefill.get("planned_on"):
        return {}
    field = next(f for f in ef.new_exam_fields() if f.name == "planned_on")
    return {"planned_on": str(field.as_typed(prefill["planned_on"]))}


def contact_context(
    contact: dict[str, Any],
    history: list[dict[str, Any]],
    forms: Mapping[str, EntryForm],
    codes: Mapping[str, Any] | None = None,
    nurses: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the contact page template shows, with these forms in its sections."""
    plan, notes = plan_view(contact.get("plan") or [])
    codes = with_nurses(codes, nurses or {}, str(contact.get("nurse") or ""))
    return {
        "contact": contact,
        "title": f"{contact.get('name', '接触者')}（接触者）",
        "person": person_facts(contact, nurses),
        "exposures": [(e, exposure_facts(e)) for e in contact.get("exposures") or []],
        "plan": plan,
        "plan_notes": notes,
        "next_due": due_view(contact.get("next_due")),
        "state": state_label(contact),
        "outcome": OUTCOME_LABELS.get(str(contact.get("outcome") or ""), ""),
        "end_reason": contact.get("end_reason_label")
        or END_REASON_LABELS.get(str(contact.get("end_reason") or ""), str(contact.get("end_reason") or "")),
        "exams": [(e, exam_result(e)) for e in contact.get("exams") or []],
        "history": history_view(history, contact, codes),
        "forms": forms,
        "contact_codes": codes or {},
        "nav_path": "/contacts",
    }


@dataclass(frozen=True)
class ContactPage:
    """The contact page for one request: shown, shown again with a refused form, or left after a save."""

    request: Request
    contacts: ContactsClient
    workflow: WorkflowClient
    masters: MastersClient

    async def show(
        self,
        contact_id: uuid.UUID,
        *,
        failed: Mapping[str, EntryForm] | None = None,
        prefill: Mapping[str, str] | None = None,
        status_code: int = 200,
    ) -> Response:
        """Renders the contact page; a refused form replaces the stored-values form with the same key."""
        contact, history, codes, circulations, nurses = await asyncio.gather(
            self.contacts.contact(str(contact_id)),
            self.contacts.history(str(contact_id)),
            self.contacts.codes(),
            self.workflow.of_record("contacts", "contact", str(contact_id)),
            self.masters.nurse_names(),
        )
        forms = page_forms(contact, prefill or {}) | dict(failed or {})
        context = contact_context(contact, history, forms, codes, nurses) | {
            "circulations": circulations,
            "field_labels": FIELD_LABELS,
        }
        return render(self.request, "contacts/contact.html", context, status_code=status_code)

    async def after_save(
        self,
        contact_id: uuid.UUID,
        *,
        key: str,
        form: EntryForm,
        saved: SaveResult,
        anchor: str,
        message: str = "保存しました。",
        aliases: Mapping[str, str] | None = None,
    ) -> Response:
        """Back to the section with a message after a save; else the page again with the form as typed and why."""
        if saved.record is not None:
            flash(self.request, message)
            return RedirectResponse(f"/contacts/{contact_id}#{anchor}", status_code=303)
        form.place(saved.errors or {}, aliases)
        form.conflict = saved.conflict or ""
        return await self.refused(contact_id, key, form, status_code=409 if form.conflict else 422)

    async def refused(self, contact_id: uuid.UUID, key: str, form: EntryForm, status_code: int = 422) -> Response:
        """The page again with a refused form (by the API, or by the gateway: a required reason left empty)."""
        return await self.show(contact_id, failed={key: form}, status_code=status_code)


def get_contact_page(
    request: Request, contacts: ContactsDep, workflow: WorkflowDep, masters: MastersDep
) -> ContactPage:
    """The contact page of this request, reading as the logged-in user."""
    return ContactPage(request, contacts, workflow, masters)


ContactPageDep = Annotated[ContactPage, Depends(get_contact_page)]
