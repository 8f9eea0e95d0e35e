"""Printing F29 for a contact: access checks, the contact read model, the masters' letterhead, the missing-data
check, and filing the letter as a document of the contact (audited as a print)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow

from reports.contact_form.errors import RequiredItemsMissing
from reports.contact_notice.errors import NoScreeningExamPlanned
from reports.document.filing import DocumentFiler, Owner, Printed, Printing
from reports.forms.common import JST
from reports.forms.f29 import CONTACT_F29, ContactNoticeInput, contact_exam
from reports.forms.letterhead import Letterhead
from reports.forms.missing import missing_items
from reports.forms.render import FormRenderer
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.request_letter.errors import ContactNotYetAvailable
from reports.request_letter.repository import ContactSummaryRepository
from reports.storage import DocumentStore


class ContactNoticeService:
    """Prints a contact's 管理検診お知らせ for a user who may print forms and read contacts."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal = session, principal
        self.filer = DocumentFiler(session, principal, store, renderer)

    async def print(self, contact_id: uuid.UUID, exam_id: uuid.UUID | None) -> tuple[Printed, str]:
        """F29 for the chosen screening exam (else the next planned one), as an A4 PDF filed with the contact."""
        printing = await self.printing(contact_id, exam_id)
        printed = await self.filer.print([printing])
        return printed, f"F29_{CONTACT_F29.title}.pdf"

    async def printing(self, contact_id: uuid.UUID, exam_id: uuid.UUID | None) -> Printing:
        """F29 of one contact, checked and ready to print (nothing stored yet): a batch prints it with others."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.CONTACTS, Access.READ)
        summary = await ContactSummaryRepository(self.session).find(contact_id)
        if summary is None:
            raise ContactNotYetAvailable()
        letterhead = Letterhead.of(await MasterSnapshotRepository(self.session).letterhead())
        data = ContactNoticeInput(
            contact=summary.snapshot,
            printed_at=utcnow(),
            printed_by=self.principal.display_name or self.principal.username,
            letterhead=letterhead,
            record_id=str(exam_id) if exam_id else None,
        )
        if contact_exam(data, data.printed_at.astimezone(JST).date()) is None:
            raise NoScreeningExamPlanned(errors={"exam_id": NoScreeningExamPlanned.message})
        missing = missing_items(CONTACT_F29, CONTACT_F29.build_context(data))  # type: ignore[arg-type]
        if missing:
            labels = "、".join(item.label for item in missing)
            raise RequiredItemsMissing(
                f"{RequiredItemsMissing.message}（{labels}）",
                errors={item.key: f"{item.label}が入力されていません。" for item in missing},
            )
        return Printing(CONTACT_F29, data, Owner("contact", contact_id), f"c{summary.version}")
