"""Filing printed forms as documents of their record (R20), in one place for every way a form is printed.

A form printed singly (POST /documents), a 診査会 case or session, a letter between health centres (F20, F27,
F30) and each form of a batch are all filed here: one PDF in the document store per form, its document entry
(form id, template version, data version, who printed it and when, the record it is about), the
DocumentGenerated event and the print audit. A new form printed through any of these paths is filed without
code of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.reports import DocumentGenerated
from tbms_core import audit, outbox
from tbms_core.auth import Area, Principal
from tbms_core.db import new_id, utcnow
from tbms_core.events import Envelope

from reports.document.models import Document
from reports.document.repository import DocumentRepository
from reports.forms.render import FormRenderer, TemplateSource, merge, template_version
from reports.forms.spec import FormSpec
from reports.storage import DocumentStore

SERVICE = "reports"
PDF = "application/pdf"
# the records a printed form is filed with, as attachments are keyed (owner_type), and the area whose personal
# data each holds: reading such a document needs that area besides 帳票
OWNER_TYPES = {
    "patient": "患者",
    "contact": "接触者",
    "request": "依頼・回答",
    "board_session": "診査会",
    "screening_day": "健診日",  # one day's 接触者健診 at one place (F25 受付簿): see screening_day_id
}
OWNER_AREAS = {
    "patient": Area.PATIENTS,
    "contact": Area.CONTACTS,
    "request": Area.CONTACTS,
    "board_session": Area.REVIEW,
    "screening_day": Area.CONTACTS,
}
# the ids of screening days: the same day and place is always the same record
SCREENING_DAYS = uuid.UUID("5f0e2c1a-6b1d-4c55-9a57-0c2b7f3e1d24")


PERSON_OWNERS = frozenset({"patient", "contact"})


def screening_day_id(day: date, place: str) -> uuid.UUID:
    """The record a screening day's forms are filed with: the day and the place as the appointments name it."""
    return uuid.uuid5(SCREENING_DAYS, f"{day.isoformat()}|{place.strip()}")


@dataclass(frozen=True)
class Owner:
    """The record a printed form is filed with; `patient_id` is set when the form is about one patient."""

    type: str
    id: uuid.UUID
    patient_id: uuid.UUID | None = None

    @classmethod
    def patient(cls, patient_id: uuid.UUID) -> Owner:
        """A form about a patient, filed with that patient."""
        return cls("patient", patient_id, patient_id)

    @property
    def person_id(self) -> uuid.UUID:
        """Whose personal data the document is, for the audit: the patient, else the record itself."""
        return self.patient_id or self.id


@dataclass(frozen=True)
class Printing:
    """One form to print and file: its spec, its input (a FormInput or a letter's input), the record it is
    filed with, which data it was printed from, and an uploaded template version when one is in force."""

    spec: FormSpec
    data: Any
    owner: Owner
    data_version: str = ""
    source: TemplateSource | None = None


@dataclass(frozen=True)
class Printed:
    """What a print gives back: the PDF to show (the one form, or every form merged) and the filed documents."""

    pdf: bytes
    documents: list[Document]


def object_key(document: Document) -> str:
    """Where a printed form lives in the bucket: <owner>s/<id>/<form>/<document>.pdf (patients/… for a patient)."""
    return f"{document.owner_type}s/{document.owner_id}/{document.kind}/{document.id}.pdf"


def person_of(document: Document) -> uuid.UUID | None:
    """Whose personal data a printed form holds (its file is sealed with their data key), if one person's."""
    if document.patient_id is not None:
        return document.patient_id
    return document.owner_id if document.owner_type in PERSON_OWNERS else None


def generated_event(document: Document) -> DocumentGenerated:
    """The DocumentGenerated fact of a stored document."""
    return DocumentGenerated(
        document_id=str(document.id),
        kind=document.kind,
        patient_id=str(document.patient_id or ""),
        owner_type=document.owner_type,
        owner_id=str(document.owner_id),
        object_key=document.object_key,
        version_id=document.version_id,
        sha256=document.sha256,
        size=document.size,
        content_type=document.content_type,
        template_version=document.template_version,
        data_version=document.data_version,
        created_by=document.created_by,
        created_at=document.created_at,
    )


class DocumentFiler:
    """Renders forms and files each as a document of its record, under the user who printed it.

    Access is the caller's to check (each printing path knows which areas its forms need); the filer only stores.
    """

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal = session, principal
        self.store, self.renderer = store, renderer
        self.documents = DocumentRepository(session)

    def new(
        self, spec: FormSpec, owner: Owner, *, data_version: str = "", source: TemplateSource | None = None
    ) -> Document:
        """The document entry a form becomes once printed (nothing is stored yet)."""
        return Document(
            id=new_id(),
            kind=spec.id,
            owner_type=owner.type,
            owner_id=owner.id,
            patient_id=owner.patient_id,
            content_type=PDF,
            created_at=utcnow(),
            created_by=self.principal.user_id,
            created_by_name=self.principal.display_name,
            template_version=source.version if source else template_version(spec),
            data_version=data_version,
        )

    async def print(self, printings: Sequence[Printing]) -> Printed:
        """Renders every form, files each with its record, and gives back one PDF: the form itself when one was
        printed, else every form in the order given (laid out once: each form's own PDF is filed, and the PDF shown
        embeds its fonts once rather than once per form)."""
        shown: bytes | None = None
        if len(printings) > 1 and all(p.source is None for p in printings):
            pdfs, shown = await self.renderer.render_each_and_merged([(p.spec, p.data) for p in printings])
        else:
            pdfs = list(await asyncio.gather(*(self.renderer.render_pdf(p.spec, p.data, p.source) for p in printings)))
        documents = []
        for printing, pdf in zip(printings, pdfs, strict=True):
            document = self.new(
                printing.spec, printing.owner, data_version=printing.data_version, source=printing.source
            )
            documents.append(await self.file(document, pdf, printing.spec))
        if shown is None:
            shown = pdfs[0] if len(pdfs) == 1 else (await asyncio.to_thread(merge, pdfs))[0]
        return Printed(shown, documents)

    async def file(self, document: Document, pdf: bytes, spec: FormSpec | None = None) -> Document:
        """Stores a rendered PDF as a document of its record, with its DocumentGenerated event and print audit."""
        stored = await self.store.put(
            object_key(document),
            pdf,
            content_type=PDF,
            metadata={"form": document.kind, "document-id": str(document.id)},
            person_id=person_of(document),
            session=self.session,
        )
        document.object_key, document.version_id = stored.key, stored.version_id
        document.sha256, document.size = stored.sha256, stored.size
        await self.documents.add(document)
        await outbox.add(
            self.session,
            Envelope.of(generated_event(document), aggregate_id=document.id, version=1, actor=self.principal.user_id),
        )
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.PRINT,
            record_type="document",
            record_id=document.id,
            person_id=document.patient_id or document.owner_id,
            detail=f"{spec.id} {spec.title}" if spec else document.kind,
        )
        return document


def printed_headers(printed: Printed, filename: str) -> dict[str, str]:
    """The response headers of a printed PDF: shown inline, never cached, naming the filed documents."""
    return {
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Document-Ids": ",".join(str(d.id) for d in printed.documents),
    }
