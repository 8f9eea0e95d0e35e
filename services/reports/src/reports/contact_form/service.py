"""Printing the contact screening forms: access checks, the read model, the masters' letterhead, the missing-data
check, and filing each printed form as a document of its record (the contact, the index patient or the screening
day) through the one DocumentFiler.

Each form has a function that prepares its Printing (checked, nothing stored) and `print` files it: a batch
prepares several and files them together."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow

from reports.circulation_stamp.stamps import stamps_of_record
from reports.contact_form.errors import IndexPatientNotYetAvailable, RequiredItemsMissing, UnknownContactForm
from reports.contact_form.forms import F05, F18, F25, ContactFormInput
from reports.contact_form.registry import CONTACT_FORMS
from reports.contact_form.repository import ContactFormRepository
from reports.contact_form.results import F24_DAY
from reports.document.filing import DocumentFiler, Owner, Printed, Printing, screening_day_id
from reports.document.models import Document
from reports.forms.letterhead import Letterhead
from reports.forms.missing import missing_items
from reports.forms.render import FormRenderer
from reports.forms.spec import FormSpec
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.request_letter.errors import ContactNotYetAvailable
from reports.settings import get_settings
from reports.storage import DocumentStore


def contacts_version(contacts: Sequence[Mapping[str, Any]]) -> str:
    """Which contacts a list form was printed from: how many, and a digest of their ids and versions."""
    records = sorted(f"{c.get('id')}:{c.get('version')}" for c in contacts)
    return f"n{len(records)}+{hashlib.sha256(chr(10).join(records).encode()).hexdigest()[:8]}"


class ContactFormService:
    """Prints the contact screening forms for a user who may print forms and read contacts."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal, self.renderer = session, principal, renderer
        self.found = ContactFormRepository(session)
        self.filer = DocumentFiler(session, principal, store, renderer)

    async def _input(self, **values: Any) -> ContactFormInput:
        letterhead = Letterhead.of(await MasterSnapshotRepository(self.session).letterhead())
        return ContactFormInput(
            sender=(letterhead.signer if letterhead else "") or get_settings().letter_sender,
            printed_at=utcnow(),
            printed_by=self.principal.display_name or self.principal.username,
            letterhead=letterhead,
            **values,
        )

    async def contact_form(self, contact_id: uuid.UUID, form: str, record_id: uuid.UUID | None) -> tuple[Printed, str]:
        """A form of one contact (F18, F19, F21, F22, F23, F24, F26: the chosen 勧告 or examination, else the
        latest) as an A4 PDF, filed with the contact."""
        printing = await self.contact_printing(contact_id, form, record_id)
        return await self.print(printing), self.filename(printing.spec)

    async def contact_printing(self, contact_id: uuid.UUID, form: str, record_id: uuid.UUID | None) -> Printing:
        """The form of one contact, checked and ready to print (nothing stored yet)."""
        self._require()
        spec = CONTACT_FORMS.get(form.upper())
        if spec is None:
            raise UnknownContactForm(errors={"form": UnknownContactForm.message})
        snapshot = await self.found.contact(contact_id)
        if snapshot is None:
            raise ContactNotYetAvailable()
        data = await self._input(
            contact=snapshot,
            record_id=str(record_id) if record_id else None,
            stamps=await stamps_of_record(self.session, "contacts", "contact", contact_id),
        )
        self._check(spec, data)
        return Printing(spec, data, Owner("contact", contact_id), f"c{snapshot.get('version', '')}")

    async def recommendation_letters(self, contact_ids: Sequence[uuid.UUID]) -> tuple[Printed, str]:
        """F18 勧告書 of many contacts at once (each contact's latest 勧告 in force), as one merged A4 PDF in the
        order given, each letter filed as a document of its contact. Nothing is printed when any contact is not
        yet known or lacks an item: every such contact is named with what it lacks."""
        self._require()
        printings, lacking = [], []
        for contact_id in dict.fromkeys(contact_ids):
            snapshot = await self.found.contact(contact_id)
            if snapshot is None:
                lacking.append(f"{contact_id}：帳票サービスに未反映")
                continue
            data = await self._input(contact=snapshot, record_id=None)
            missing = missing_items(F18, F18.build_context(data))  # type: ignore[arg-type]
            if missing:
                lacking.append(f"{snapshot.get('name') or contact_id}：{'、'.join(i.label for i in missing)}")
                continue
            printings.append(Printing(F18, data, Owner("contact", contact_id), f"c{snapshot.get('version', '')}"))
        if lacking:
            detail = "、".join(lacking)
            raise RequiredItemsMissing(
                f"{RequiredItemsMissing.message}（{detail}）", errors={"contact_ids": f"印刷できない接触者：{detail}"}
            )
        return await self.filer.print(printings), self.filename(F18)

    async def reception_register(self, day: date, place: str) -> tuple[Printed, str]:
        """F25 受付簿 of one day at one place as an A4 PDF, filed with that screening day."""
        printing = await self.register_printing(day, place)
        return await self.print(printing), self.filename(F25)

    async def register_printing(self, day: date, place: str) -> Printing:
        """F25 of one day at one place, checked and ready to print."""
        self._require()
        contacts = await self.found.received(day, place)
        data = await self._input(contacts=contacts, day=day, place=place)
        self._check(F25, data)
        return Printing(F25, data, Owner("screening_day", screening_day_id(day, place)), contacts_version(contacts))

    async def day_irradiation_record(self, day: date, place: str) -> tuple[Printed, str]:
        """F24 照射録 of a screening day (at the place, when named) as an A4 PDF, filed with that screening day."""
        printing = await self.day_xray_printing(day, place)
        return await self.print(printing), self.filename(F24_DAY)

    async def day_xray_printing(self, day: date, place: str) -> Printing:
        """F24 of every chest X-ray the health center took on the day, checked and ready to print; only the
        contacts on it are named in the print audit."""
        self._require()
        contacts = await self.found.xrays_on(day)
        data = await self._input(contacts=contacts, day=day, place=place)
        context = F24_DAY.build_context(data)  # type: ignore[arg-type]
        shown = {row["contact"] for row in context["rows"]}  # type: ignore[attr-defined]
        data = replace(data, contacts=[c for c in contacts if str(c.get("id")) in shown])
        self._check(F24_DAY, data)
        owner = Owner("screening_day", screening_day_id(day, place))
        return Printing(F24_DAY, data, owner, contacts_version(data.contacts))

    async def index_status(self, patient_id: uuid.UUID) -> tuple[Printed, str]:
        """F05 for an index patient as an A4 PDF, filed with the patient."""
        printing = await self.index_printing(patient_id)
        return await self.print(printing), self.filename(F05)

    async def index_printing(self, patient_id: uuid.UUID) -> Printing:
        """F05 for an index patient (each contact, the exposure, exams done and results), checked, ready to print."""
        self._require()
        self.principal.require(Area.PATIENTS, Access.READ)
        patient = await self.found.patient(patient_id)
        if patient is None:
            raise IndexPatientNotYetAvailable()
        contacts = await self.found.of_index(patient_id)
        index = {"id": str(patient.id), "name": patient.name, "name_kana": patient.name_kana}
        data = await self._input(
            contacts=contacts,
            index=index | {"registration_no": patient.registration_no},
            stamps=await stamps_of_record(self.session, "patients", "patient", patient_id),
        )
        self._check(F05, data)
        version = f"p{patient.version}+{contacts_version(contacts)}"
        return Printing(F05, data, Owner.patient(patient_id), version)

    async def print(self, printing: Printing) -> Printed:
        """Renders the form and files it as a document of its record (PDF, entry, event and print audit); a
        register's print is also audited as a print of each person on it."""
        printed = await self.filer.print([printing])
        await self.audit_register(printing, printed.documents[0])
        return printed

    async def audit_register(self, printing: Printing, document: Document) -> None:
        """A register (F25) is personal data of everyone on it: its print is audited for each of them."""
        if printing.owner.type != "screening_day":
            return
        for contact in printing.data.contacts:
            await audit.record(
                self.session,
                self.principal,
                "reports",
                Operation.PRINT,
                record_type="reception_register",
                record_id=document.id,
                person_id=uuid.UUID(contact["id"]),
                detail=f"{printing.spec.id} {printing.data.day} {printing.data.place}",
            )

    @staticmethod
    def filename(spec: FormSpec) -> str:
        """The file name a printed form is shown under."""
        return f"{spec.id}_{spec.title}.pdf"

    def _require(self) -> None:
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.CONTACTS, Access.READ)

    @staticmethod
    def _check(spec: FormSpec, data: ContactFormInput) -> None:
        """Refuses a form whose required items would print empty, naming each; nothing is printed."""
        context = spec.build_context(data)  # type: ignore[arg-type]
        missing = missing_items(spec, context)
        if missing:
            # an item the form can say more of (which X-ray lacks which condition) names it
            labels = "、".join(
                f"{item.label}［{context['incomplete']}］"
                if item.key == "complete" and context.get("incomplete")
                else item.label
                for item in missing
            )
            raise RequiredItemsMissing(
                f"{RequiredItemsMissing.message}（{labels}）",
                errors={item.key: f"{item.label}が入力されていません。" for item in missing},
            )
