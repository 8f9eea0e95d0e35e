"""Printing forms to stored PDFs and handing documents out, with access checks, audit and events."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import today
from tbms_core.db import utcnow

from reports.care_record.repository import CareRecordRepository
from reports.circulation_stamp.stamps import stamps_of_record
from reports.document.errors import DocumentContentMissing, PatientNotYetAvailable
from reports.document.filing import OWNER_AREAS, DocumentFiler, Owner
from reports.document.models import Document
from reports.document.repository import DocumentRepository
from reports.document.schemas import DocumentCreate
from reports.form_template.errors import TemplateInvalid
from reports.form_template.schemas import FormCheck, RequiredItemRead
from reports.form_template.service import TemplateCatalog
from reports.forms.letterhead import Letterhead
from reports.forms.missing import missing_items
from reports.forms.registry import form_spec
from reports.forms.render import FormRenderer, TemplateSource, UploadedTemplateFailed, template_version
from reports.forms.spec import FormInput, FormSpec, Period
from reports.lab_result.repository import LabResultRepository
from reports.master_snapshot.repository import MasterSnapshotRepository
from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository
from reports.storage import DocumentStore, ObjectMissing, ObjectStream

SERVICE = "reports"


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
        self.filer = DocumentFiler(session, principal, store, renderer)

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
        document = self.filer.new(spec, Owner.patient(patient.id), source=source)
        form_input = await self._form_input(patient, document.created_at, Period(data.period_from, data.period_to))
        if data.record_id is not None:
            form_input = replace(form_input, record_id=str(data.record_id))
        document.data_version = data_version(form_input)
        return PreparedForm(spec, document, form_input, source)

    async def render(self, prepared: PreparedForm) -> bytes:
        """The prepared form as PDF bytes (does not touch the database, so several can render side by side)."""
        return await self._render(prepared.spec, prepared.form_input, prepared.source)

    async def file(self, document: Document, pdf: bytes, spec: FormSpec | None = None) -> Document:
        """Stores a rendered PDF as a document of its record (see DocumentFiler.file)."""
        return await self.filer.file(document, pdf, spec)

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
        self.principal.require(Area.FORMS, Access.READ)
        if not any(self.principal.can(area, Access.READ) for area in set(OWNER_AREAS.values())):
            self.principal.require(Area.PATIENTS, Access.READ)  # before the lookup: no 404 tells a stranger it exists
        document = await self.documents.get(document_id)
        self._require_owner_access(document.owner_type)
        try:
            stream = await self.store.open(document.object_key, document.version_id, session=self.session)
        except ObjectMissing as exc:
            raise DocumentContentMissing() from exc
        await self._audit(Operation.DOWNLOAD, document)
        return document, stream

    async def page_of_owner(
        self, owner_type: str, owner_id: uuid.UUID, *, limit: int, offset: int
    ) -> tuple[list[Document], int]:
        """The printed forms filed with a record (a contact, a request, a 診査会 session), newest first."""
        self.principal.require(Area.FORMS, Access.READ)
        self._require_owner_access(owner_type)
        page = await self.documents.page_of_owner(owner_type, owner_id, limit=limit, offset=offset)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="document",
            person_id=owner_id if owner_type in ("patient", "contact") else None,
            query=f"owner_type={owner_type}&owner_id={owner_id}",
        )
        return page

    def _require_owner_access(self, owner_type: str) -> None:
        """A filed form holds the personal data of its record: read access to that record's area."""
        self.principal.require(OWNER_AREAS.get(owner_type, Area.PATIENTS), Access.READ)

    def _require_personal_data_access(self) -> None:
        """Printing or downloading a form reads personal data: 帳票 and 患者管理 at least 参照."""
        self.principal.require(Area.FORMS, Access.READ)
        self.principal.require(Area.PATIENTS, Access.READ)

    async def _form_input(
        self, patient: PatientSummary, printed_at: datetime, period: Period | None = None
    ) -> FormInput:
        """The patient with their test results and care records as the read model holds them now, this health
        center's letterhead and code labels from masters, and the period asked for (forms that print a period use
        it)."""
        masters = MasterSnapshotRepository(self.session)
        return FormInput(
            patient,
            printed_at,
            self._printed_by(),
            lab_results=await self.lab_results.of_patient(patient.id),
            care_records=await self.care_records.of_patient(patient.id),
            letterhead=Letterhead.of(await masters.letterhead()),
            period=period or Period(),
            code_labels=await masters.code_labels(),
            stamps=await stamps_of_record(self.session, "patients", "patient", patient.id),
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
            person_id=document.patient_id or document.owner_id,
            detail=detail,
        )
