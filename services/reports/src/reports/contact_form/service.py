"""Printing the contact screening forms: access checks, the read model, the missing-data check, rendering and
the print audit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow

from reports.contact_form.errors import IndexPatientNotYetAvailable, RequiredItemsMissing, UnknownContactForm
from reports.contact_form.forms import CONTACT_FORMS, F05, F25, ContactFormInput
from reports.contact_form.repository import ContactFormRepository
from reports.forms.missing import missing_items
from reports.forms.render import FormRenderer
from reports.forms.spec import FormSpec
from reports.request_letter.errors import ContactNotYetAvailable
from reports.settings import get_settings


class ContactFormService:
    """Prints the contact screening forms for a user who may print forms and read contacts."""

    def __init__(self, session: AsyncSession, principal: Principal, renderer: FormRenderer) -> None:
        self.session, self.principal, self.renderer = session, principal, renderer
        self.found = ContactFormRepository(session)

    def _input(self, **values: Any) -> ContactFormInput:
        return ContactFormInput(
            sender=get_settings().letter_sender,
            printed_at=utcnow(),
            printed_by=self.principal.display_name or self.principal.username,
            **values,
        )

    async def contact_form(self, contact_id: uuid.UUID, form: str, record_id: uuid.UUID | None) -> tuple[bytes, str]:
        """F18 or F19 for a contact (the chosen 勧告 or examination, else the latest), as an A4 PDF."""
        self._require()
        spec = CONTACT_FORMS.get(form.upper())
        if spec is None:
            raise UnknownContactForm(errors={"form": UnknownContactForm.message})
        snapshot = await self.found.contact(contact_id)
        if snapshot is None:
            raise ContactNotYetAvailable()
        data = self._input(contact=snapshot, record_id=str(record_id) if record_id else None)
        content = await self._render(spec, data)
        await self._audit(spec, "contact_form", contact_id, contact_id, f"{spec.id} {spec.title}")
        return content, f"{spec.id}_{spec.title}.pdf"

    async def reception_register(self, day: date, place: str) -> tuple[bytes, str]:
        """F25 受付簿 of one day at one place, as an A4 PDF."""
        self._require()
        data = self._input(contacts=await self.found.received(day, place), day=day, place=place)
        content = await self._render(F25, data)
        for contact in data.contacts:  # a print of each person on the register
            contact_id = uuid.UUID(contact["id"])
            await self._audit(F25, "reception_register", contact_id, contact_id, f"F25 {day} {place}")
        return content, f"F25_{F25.title}.pdf"

    async def index_status(self, patient_id: uuid.UUID) -> tuple[bytes, str]:
        """F05 for an index patient: each contact, the exposure, the exams done and results, as an A4 PDF."""
        self._require()
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.found.patient(patient_id)
        if patient is None:
            raise IndexPatientNotYetAvailable()
        contacts = await self.found.of_index(patient_id)
        index = {"id": str(patient.id), "name": patient.name, "name_kana": patient.name_kana}
        data = self._input(contacts=contacts, index=index | {"registration_no": patient.registration_no})
        content = await self._render(F05, data)
        await self._audit(F05, "index_contact_status", patient_id, patient_id, f"F05 {len(data.contacts)}人")
        return content, f"F05_{F05.title}.pdf"

    def _require(self) -> None:
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.CONTACTS, Access.READ)

    async def _render(self, spec: FormSpec, data: ContactFormInput) -> bytes:
        """The PDF, unless a required item would print empty: then the list of what is missing, nothing printed."""
        missing = missing_items(spec, spec.build_context(data))  # type: ignore[arg-type]
        if missing:
            labels = "、".join(item.label for item in missing)
            raise RequiredItemsMissing(
                f"{RequiredItemsMissing.message}（{labels}）",
                errors={item.key: f"{item.label}が入力されていません。" for item in missing},
            )
        return await self.renderer.render_pdf(spec, data)  # type: ignore[arg-type]

    async def _audit(
        self, spec: FormSpec, record_type: str, record_id: uuid.UUID, person_id: uuid.UUID | None, detail: str
    ) -> None:
        await audit.record(
            self.session,
            self.principal,
            "reports",
            Operation.PRINT,
            record_type=record_type,
            record_id=record_id,
            person_id=person_id,
            detail=detail,
        )
