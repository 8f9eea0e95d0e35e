"""Printing F30 and F27 for a request: access checks, the read model, rendering and the print audit."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow

from reports.forms.render import FormRenderer
from reports.request_letter.errors import ContactNotYetAvailable, RequestNotYetAvailable, UnknownLetter
from reports.request_letter.letters import F20, LETTERS, InformationInput, LetterInput
from reports.request_letter.repository import ContactSummaryRepository, RequestSummaryRepository
from reports.settings import get_settings


class LetterService:
    """Prints the letter of a request for a user who may print forms and read contacts."""

    def __init__(self, session: AsyncSession, principal: Principal, renderer: FormRenderer) -> None:
        self.session, self.principal, self.renderer = session, principal, renderer
        self.requests = RequestSummaryRepository(session)

    async def print(self, request_id: uuid.UUID, form: str) -> tuple[bytes, str]:
        """The letter as an A4 PDF and its file name; audited as a print of the people it names."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.CONTACTS, Access.READ)
        found = LETTERS.get(form.upper())
        summary = await self.requests.find(request_id)
        if summary is None:
            raise RequestNotYetAvailable()
        if found is None or found[1] != summary.snapshot["direction"]:
            raise UnknownLetter(errors={"form": UnknownLetter.message})
        spec = found[0]
        data = LetterInput(
            summary.snapshot,
            get_settings().letter_sender,
            utcnow(),
            self.principal.display_name or self.principal.username,
        )
        content = await self.renderer.render_pdf(spec, data)  # type: ignore[arg-type]
        await audit.record(
            self.session,
            self.principal,
            "reports",
            Operation.PRINT,
            record_type="request_letter",
            record_id=request_id,
            person_id=request_id,
            detail=f"{spec.id} {len(summary.snapshot.get('items') or [])}人",
        )
        return content, f"{spec.id}_{spec.title}.pdf"

    async def information(
        self, contact_id: uuid.UUID, institution: str, doctor: str, purpose: str
    ) -> tuple[bytes, str]:
        """F20 for a contact to a medical institution, as an A4 PDF; audited as a print of the contact."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.CONTACTS, Access.READ)
        summary = await ContactSummaryRepository(self.session).find(contact_id)
        if summary is None:
            raise ContactNotYetAvailable()
        data = InformationInput(
            summary.snapshot,
            institution,
            doctor,
            purpose,
            get_settings().letter_sender,
            utcnow(),
            self.principal.display_name or self.principal.username,
        )
        content = await self.renderer.render_pdf(F20, data)  # type: ignore[arg-type]
        await audit.record(
            self.session,
            self.principal,
            "reports",
            Operation.PRINT,
            record_type="contact_information_letter",
            record_id=contact_id,
            person_id=contact_id,
            detail=f"F20 {institution}",
        )
        return content, f"F20_{F20.title}.pdf"
