"""Printing forms to stored PDFs and handing documents out, with access checks, audit and events."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.reports import DocumentGenerated
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import new_id, utcnow
from tbms_core.events import Envelope

from reports.care_record.repository import CareRecordRepository
from reports.document.errors import DocumentContentMissing, PatientNotYetAvailable
from reports.document.models import Document
from reports.document.repository import DocumentRepository
from reports.document.schemas import DocumentCreate
from reports.forms.registry import form_spec
from reports.forms.render import FormRenderer, template_version
from reports.forms.spec import FormInput
from reports.lab_result.repository import LabResultRepository
from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository
from reports.storage import DocumentStore, ObjectMissing, ObjectStream

SERVICE = "reports"
PDF = "application/pdf"


def object_key(document: Document) -> str:
    """Where a generated form lives in the bucket: patients/<patient>/<form>/<document>.pdf."""
    return f"patients/{document.patient_id}/{document.kind}/{document.id}.pdf"


def generated_event(document: Document) -> DocumentGenerated:
    """The DocumentGenerated fact of a stored document."""
    return DocumentGenerated(
        document_id=str(document.id),
        kind=document.kind,
        patient_id=str(document.patient_id),
        object_key=document.object_key,
        version_id=document.version_id,
        sha256=document.sha256,
        size=document.size,
        content_type=document.content_type,
        template_version=document.template_version,
        created_by=document.created_by,
        created_at=document.created_at,
    )


class DocumentService:
    """What staff do with forms and documents: print a form, look documents up, download them."""

    def __init__(
        self, session: AsyncSession, principal: Principal, store: DocumentStore, renderer: FormRenderer
    ) -> None:
        self.session, self.principal = session, principal
        self.store, self.renderer = store, renderer
        self.documents = DocumentRepository(session)
        self.patients = PatientSummaryRepository(session)
        self.lab_results = LabResultRepository(session)
        self.care_records = CareRecordRepository(session)

    async def generate(self, data: DocumentCreate) -> Document:
        """Prints a form about a patient, stores the PDF and records DocumentGenerated (audited as a print)."""
        self._require_personal_data_access()
        spec = form_spec(data.form)
        patient = await self.patients.find(data.patient_id)
        if patient is None:
            raise PatientNotYetAvailable()
        document = Document(
            id=new_id(),
            kind=spec.id,
            patient_id=patient.id,
            content_type=PDF,
            created_at=utcnow(),
            created_by=self.principal.user_id,
            created_by_name=self.principal.display_name,
            template_version=template_version(spec),
        )
        pdf = await self.renderer.render_pdf(spec, await self._form_input(patient, document.created_at))
        stored = await self.store.put(
            object_key(document), pdf, content_type=PDF, metadata={"form": spec.id, "document-id": str(document.id)}
        )
        document.object_key, document.version_id = stored.key, stored.version_id
        document.sha256, document.size = stored.sha256, stored.size
        await self.documents.add(document)
        await outbox.add(
            self.session,
            Envelope.of(generated_event(document), aggregate_id=document.id, version=1, actor=self.principal.user_id),
        )
        await self._audit(Operation.PRINT, document, detail=f"{spec.id} {spec.title}")
        return document

    async def view(self, document_id: uuid.UUID) -> Document:
        """One document's metadata (audited as a read)."""
        self.principal.require(Area.FORMS, Access.READ)
        document = await self.documents.get(document_id)
        await self._audit(Operation.READ, document)
        return document

    async def page_of_patient(self, patient_id: uuid.UUID, *, limit: int, offset: int) -> tuple[list[Document], int]:
        """A patient's documents, newest first (audited as a read of that person's records)."""
        self.principal.require(Area.FORMS, Access.READ)
        page = await self.documents.page_of_patient(patient_id, limit=limit, offset=offset)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="document",
            person_id=patient_id,
            query=f"patient_id={patient_id}",
        )
        return page

    async def open_content(self, document_id: uuid.UUID) -> tuple[Document, ObjectStream]:
        """The stored file of a document, opened for streaming (audited as a download)."""
        self._require_personal_data_access()
        document = await self.documents.get(document_id)
        try:
            stream = await self.store.open(document.object_key, document.version_id)
        except ObjectMissing as exc:
            raise DocumentContentMissing() from exc
        await self._audit(Operation.DOWNLOAD, document)
        return document, stream

    def _require_personal_data_access(self) -> None:
        """Printing or downloading a form reads personal data: 帳票 and 患者管理 at least 参照."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.PATIENTS, Access.READ)

    async def _form_input(self, patient: PatientSummary, printed_at: datetime) -> FormInput:
        """The patient with their test results and care records, as the read model holds them now."""
        return FormInput(
            patient,
            printed_at,
            self._printed_by(),
            lab_results=await self.lab_results.of_patient(patient.id),
            care_records=await self.care_records.of_patient(patient.id),
        )

    def _printed_by(self) -> str:
        name, username = self.principal.display_name, self.principal.username
        return name if not username or name == username else f"{name}（{username}）"

    async def _audit(self, operation: Operation, document: Document, *, detail: str | None = None) -> None:
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="document",
            record_id=document.id,
            person_id=document.patient_id,
            detail=detail,
        )
