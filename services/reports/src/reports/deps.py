"""FastAPI dependencies of the reports service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from tbms_core.auth import Access, Area, PrincipalDep
from tbms_core.db import SessionDep

from reports.attachment.service import AttachmentService
from reports.batch.service import PrintBatchService
from reports.board_record.service import BoardRecordBackfillService
from reports.care_record.service import CareRecordBackfillService
from reports.document.service import DocumentService
from reports.followup.service import FollowupBackfillService
from reports.form_template.service import FormTemplateService
from reports.forms.render import FormRenderer
from reports.lab_result.service import LabResultBackfillService
from reports.package.service import PackageService
from reports.patient_summary.service import PatientSummaryService
from reports.scanning import VirusScanner
from reports.settings import Settings
from reports.storage import DocumentStore


def get_store(request: Request) -> DocumentStore:
    """The process's document store."""
    return request.app.state.store


def get_renderer(request: Request) -> FormRenderer:
    """The process's form renderer."""
    return request.app.state.renderer


StoreDep = Annotated[DocumentStore, Depends(get_store)]
RendererDep = Annotated[FormRenderer, Depends(get_renderer)]


def get_document_service(
    session: SessionDep, principal: PrincipalDep, store: StoreDep, renderer: RendererDep
) -> DocumentService:
    """The document service of this request."""
    return DocumentService(session, principal, store, renderer)


DocumentServiceDep = Annotated[DocumentService, Depends(get_document_service)]


def get_package_service(session: SessionDep, principal: PrincipalDep, store: StoreDep) -> PackageService:
    """The encrypted document package service of this request."""
    return PackageService(session, principal, store)


PackageServiceDep = Annotated[PackageService, Depends(get_package_service)]


def get_attachment_service(
    request: Request, session: SessionDep, principal: PrincipalDep, store: StoreDep
) -> AttachmentService:
    """The attachment service of this request, with the process's virus scanner and size limit."""
    settings: Settings = request.app.state.settings
    scanner: VirusScanner = request.app.state.scanner
    return AttachmentService(session, principal, store, scanner, settings.attachment_max_bytes)


AttachmentServiceDep = Annotated[AttachmentService, Depends(get_attachment_service)]


def require_attachment_update(principal: PrincipalDep) -> None:
    """Refuses an upload before its body is read when the user may not change 資料."""
    principal.require(Area.DOCUMENTS, Access.UPDATE)


def get_form_template_service(session: SessionDep, principal: PrincipalDep) -> FormTemplateService:
    """The form-template service of this request."""
    return FormTemplateService(session, principal)


FormTemplateServiceDep = Annotated[FormTemplateService, Depends(get_form_template_service)]


def get_print_batch_service(
    session: SessionDep, principal: PrincipalDep, store: StoreDep, renderer: RendererDep
) -> PrintBatchService:
    """The batch-printing service of this request."""
    return PrintBatchService(session, principal, store, renderer)


PrintBatchServiceDep = Annotated[PrintBatchService, Depends(get_print_batch_service)]


def get_patient_summary_service(session: SessionDep, principal: PrincipalDep) -> PatientSummaryService:
    """The patient read model's service of this request (its rebuild)."""
    return PatientSummaryService(session, principal)


PatientSummaryServiceDep = Annotated[PatientSummaryService, Depends(get_patient_summary_service)]


def get_lab_result_backfill_service(session: SessionDep, principal: PrincipalDep) -> LabResultBackfillService:
    """The 菌検査 read model's rebuild for the calling user."""
    return LabResultBackfillService(session, principal)


LabResultBackfillServiceDep = Annotated[LabResultBackfillService, Depends(get_lab_result_backfill_service)]


def get_care_record_backfill_service(session: SessionDep, principal: PrincipalDep) -> CareRecordBackfillService:
    """The care-record read model's rebuild for the calling user."""
    return CareRecordBackfillService(session, principal)


CareRecordBackfillServiceDep = Annotated[CareRecordBackfillService, Depends(get_care_record_backfill_service)]


def get_followup_backfill_service(session: SessionDep, principal: PrincipalDep) -> FollowupBackfillService:
    """The rebuild of the 管理検診 and 行動調査 kept with the care records, for the calling user."""
    return FollowupBackfillService(session, principal)


FollowupBackfillServiceDep = Annotated[FollowupBackfillService, Depends(get_followup_backfill_service)]


def get_board_record_backfill_service(session: SessionDep, principal: PrincipalDep) -> BoardRecordBackfillService:
    """The 診査会 read model's rebuild for the calling user."""
    return BoardRecordBackfillService(session, principal)


BoardRecordBackfillServiceDep = Annotated[BoardRecordBackfillService, Depends(get_board_record_backfill_service)]
