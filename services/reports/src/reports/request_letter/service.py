"""Printing the letters of a request (F30, F27) and of a contact (F20): access checks, the read model, the
letterhead, and filing each letter as a document of its request or contact (audited as a print)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow

from reports.document.filing import DocumentFiler, Owner, Printed, Printing
from reports.forms.letterhead import Letterhead
from reports.forms.render import FormRenderer
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.request_letter.errors import ContactNotYetAvailable, RequestNotYetAvailable, UnknownLetter
from reports.request_letter.letters import F20, LETTERS, InformationInput, LetterInput
from reports.request_letter.repository import ContactSummaryRepository, RequestSummaryRepository
from reports.settings import get_settings
from reports.storage import DocumentStore


class LetterService:
    """Prints the letter of a request for a user who may print forms and read contacts."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal, self.renderer = session, principal, renderer
        self.requests = RequestSummaryRepository(session)
        self.filer = DocumentFiler(session, principal, store, renderer)

    async def _sender(self) -> tuple[str, Letterhead | None]:
        """Who signs: the head of the masters' letterhead, or the configured signer while masters has sent none."""
        letterhead = Letterhead.of(await MasterSnapshotRepository(self.session).letterhead())
        return (letterhead.signer if letterhead else "") or get_settings().letter_sender, letterhead

    async def print(self, request_id: uuid.UUID, form: str) -> tuple[Printed, str]:
        """The letter as an A4 PDF, filed with the request, and its file name."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.CONTACTS, Access.READ)
        found = LETTERS.get(form.upper())
        summary = await self.requests.find(request_id)
        if summary is None:
            raise RequestNotYetAvailable()
        if found is None or found[1] != summary.snapshot["direction"]:
            raise UnknownLetter(errors={"form": UnknownLetter.message})
        spec = found[0]
        sender, letterhead = await self._sender()
        data = LetterInput(summary.snapshot, sender, utcnow(), self._printed_by(), letterhead)
        owner = Owner("request", request_id)
        printed = await self.filer.print([Printing(spec, data, owner, f"r{summary.version}")])
        return printed, f"{spec.id}_{spec.title}.pdf"

    async def information(
        self, contact_id: uuid.UUID, institution: str, doctor: str, purpose: str
    ) -> tuple[Printed, str]:
        """F20 for a contact to a medical institution, as an A4 PDF filed with the contact."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.CONTACTS, Access.READ)
        summary = await ContactSummaryRepository(self.session).find(contact_id)
        if summary is None:
            raise ContactNotYetAvailable()
        sender, letterhead = await self._sender()
        data = InformationInput(
            summary.snapshot, institution, doctor, purpose, sender, utcnow(), self._printed_by(), letterhead
        )
        owner = Owner("contact", contact_id)
        printed = await self.filer.print([Printing(F20, data, owner, f"c{summary.version}")])
        return printed, f"F20_{F20.title}.pdf"

    def _printed_by(self) -> str:
        return self.principal.display_name or self.principal.username
