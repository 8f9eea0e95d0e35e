"""Printing forms to stored PDFs and handing documents out, with access checks, audit and events."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_contracts.reports import DocumentGenerated
from tbms_core import audit, outbox
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import new_id, utcnow
from tbms_core.events import Envelope

from reports.care_record.repository import CareRecordRepository
from reports.document.errors import DocumentContentMissing, PatientNotYetAvailable
from reports.document.models import Document
from reports.document.repository import DocumentRepository
from reports.document.schemas import DocumentCreate
from reports.form_template.errors import TemplateInvalid
from reports.form_template.schemas import FormCheck, RequiredItemRead
from reports.form_template.service import TemplateCatalog
from reports.forms.missing import missing_items
from reports.forms.registry import form_spec
from reports.forms.render import FormRenderer, TemplateSource, UploadedTemplateFailed, template_version
from reports.forms.spec import FormInput, FormSpec
from reports.lab_result.repository import LabResultRepository
from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository
from reports.storage import DocumentStore, ObjectMissing, ObjectStream

SERVICE = "reports"
PDF = "application/pdf"


def object_key(document: Document) -> str:
    """Where a generated form lives in the bucket: patients/<patient>/<form>/<document>.pdf."""
    return f"patients/{document.patient_id}/{document.kind}/{document.id}.pdf"


@dataclass(frozen=True)
class PreparedForm:
    """A form about to be printed: its spec, the document it becomes, its input and template version."""

    spec: FormSpec
    document: Document
    form_input: FormInput
    source: TemplateSource | None


def data_version(data: FormInput) -> str:
    """Which data a form was printed from: the patient's version and a digest of its records' versions."""
    records = sorted(f"{r.id}:{r.version}" for r in (*data.lab_results, *data.care_records))
    digest = hashlib.sha256("\n".join(records).encode()).hexdigest()[:8]
    return f"p{data.patient.version}+{digest}"


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
        data_version=document.data_version,
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
        self.catalog = TemplateCatalog(session)

    async def generate(self, data: DocumentCreate) -> Document:
        """Prints a form about a patient, stores the PDF and records DocumentGenerated (audited as a print).

        The template is the version in force on the day the form is printed for (`on`, today by default); the
        stored document names that version and the version of the data it was printed from.
        """
        prepared = await self.prepare(data)
        return await self.file(prepared.document, await self.render(prepared), prepared.spec)

    async def prepare(self, data: DocumentCreate) -> PreparedForm:
        """Everything a form is printed from, read now; nothing is stored yet (a batch renders several at once)."""
        self._require_personal_data_access()
        spec = form_spec(data.form)
        patient = await self._patient(data.patient_id)
        source = await self.catalog.in_force(spec, data.on or today())
        document = Document(
            id=new_id(),
            kind=spec.id,
            patient_id=patient.id,
            content_type=PDF,
            created_at=utcnow(),
            created_by=self.principal.user_id,
            created_by_name=self.principal.display_name,
            template_version=source.version if source else template_version(spec),
        )
        form_input = await self._form_input(patient, document.created_at)
        if data.record_id is not None:
            form_input = replace(form_input, record_id=str(data.record_id))
        document.data_version = data_version(form_input)
        return PreparedForm(spec, document, form_input, source)

    async def render(self, prepared: PreparedForm) -> bytes:
        """The prepared form as PDF bytes (does not touch the database, so several can render side by side)."""
        return await self._render(prepared.spec, prepared.form_input, prepared.source)

    async def file(self, document: Document, pdf: bytes, spec: FormSpec | None = None) -> Document:
        """Stores a rendered PDF as a document of its record, with its DocumentGenerated event and print audit."""
        stored = await self.store.put(
            object_key(document),
            pdf,
            content_type=PDF,
            metadata={"form": document.kind, "document-id": str(document.id)},
        )
        document.object_key, document.version_id = stored.key, stored.version_id
        document.sha256, document.size = stored.sha256, stored.size
        await self.documents.add(document)
        await outbox.add(
            self.session,
            Envelope.of(generated_event(document), aggregate_id=document.id, version=1, actor=self.principal.user_id),
        )
        detail = f"{spec.id} {spec.title}" if spec else document.kind
        await self._audit(Operation.PRINT, document, detail=detail)
        return document

    async def check(self, form_id: str, patient_id: uuid.UUID, on: date | None) -> FormCheck:
        """The required items of a form that would print empty for the patient, and the version it would use."""
        self._require_personal_data_access()
        spec = form_spec(form_id)
        patient = await self._patient(patient_id)
        day = on or today()
        source = await self.catalog.in_force(spec, day)
        context = spec.build_context(await self._form_input(patient, utcnow()))
        missing = [RequiredItemRead(key=i.key, label=i.label, section=i.section) for i in missing_items(spec, context)]
        version = source.version if source else template_version(spec)
        return FormCheck(form=spec.id, patient_id=patient.id, on=day, template_version=version, missing=missing)

    async def preview(
        self, form_id: str, patient_id: uuid.UUID, on: date | None, template_id: uuid.UUID | None
    ) -> bytes:
        """The form as it would print (a chosen template version, else the one in force); audited as a read."""
        self._require_personal_data_access()
        spec = form_spec(form_id)
        patient = await self._patient(patient_id)
        source: TemplateSource | None = await self.catalog.chosen(spec, on or today(), template_id)
        pdf = await self._render(spec, await self._form_input(patient, utcnow()), source)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="document_preview",
            person_id=patient.id,
            detail=f"{spec.id} {spec.title} プレビュー（{source.version if source else template_version(spec)}）",
        )
        return pdf

    async def _render(self, spec: FormSpec, data: FormInput, source: TemplateSource | None) -> bytes:
        try:
            return await self.renderer.render_pdf(spec, data, source)
        except UploadedTemplateFailed as exc:
            message = f"様式の版（{source.version if source else ''}）で印刷できません: {exc}"
            raise TemplateInvalid(message) from exc

    async def _patient(self, patient_id: uuid.UUID) -> PatientSummary:
        patient = await self.patients.find(patient_id)
        if patient is None:
            raise PatientNotYetAvailable()
        return patient

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
