"""FastAPI dependencies of the patients service: the request's session and user, and a service per module."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from patients.board.records import BoardRecordService
from patients.board.service import BoardService
from patients.care.service import CareService
from patients.care.snapshots import CareSnapshotService
from patients.custom_field.service import FieldDefinitionService
from patients.dots.cohort_service import CohortService
from patients.dots.service import DotsService
from patients.export.service import ExportService
from patients.followup.service import FollowupService
from patients.followup.settings_service import FollowupSettingsService
from patients.investigation.service import InvestigationService
from patients.lab_result.service import LabResultService
from patients.patient.record import PatientRecordService
from patients.patient.service import PatientService
from patients.patient_list.service import PatientListService

__all__ = [
    "BoardRecordServiceDep",
    "BoardServiceDep",
    "CareServiceDep",
    "CareSnapshotServiceDep",
    "CohortServiceDep",
    "DotsServiceDep",
    "ExportServiceDep",
    "FieldDefinitionServiceDep",
    "FollowupServiceDep",
    "FollowupSettingsServiceDep",
    "InvestigationServiceDep",
    "LabResultServiceDep",
    "PatientListServiceDep",
    "PatientRecordServiceDep",
    "PatientServiceDep",
    "PrincipalDep",
    "SessionDep",
]


def get_patient_service(session: SessionDep, principal: PrincipalDep) -> PatientService:
    """The patient service of this request."""
    return PatientService(session, principal)


def get_patient_list_service(session: SessionDep, principal: PrincipalDep) -> PatientListService:
    """The patient-list service of this request."""
    return PatientListService(session, principal)


def get_patient_record_service(session: SessionDep, principal: PrincipalDep) -> PatientRecordService:
    """The service reading a patient's whole record, of this request."""
    return PatientRecordService(session, principal)


def get_lab_result_service(session: SessionDep, principal: PrincipalDep) -> LabResultService:
    """The test-result service of this request."""
    return LabResultService(session, principal)


def get_care_service(session: SessionDep, principal: PrincipalDep) -> CareService:
    """The care-record service of this request."""
    return CareService(session, principal)


def get_care_snapshot_service(session: SessionDep, principal: PrincipalDep) -> CareSnapshotService:
    """The care records' snapshots for a rebuild elsewhere, of this request."""
    return CareSnapshotService(session, principal)


def get_board_service(session: SessionDep, principal: PrincipalDep) -> BoardService:
    """The 診査会 service of this request."""
    return BoardService(session, principal)


def get_board_record_service(session: SessionDep, principal: PrincipalDep) -> BoardRecordService:
    """The 患者票・勧告 service of this request."""
    return BoardRecordService(session, principal)


def get_dots_service(session: SessionDep, principal: PrincipalDep) -> DotsService:
    """The DOTS service of this request."""
    return DotsService(session, principal)


def get_cohort_service(session: SessionDep, principal: PrincipalDep) -> CohortService:
    """The cohort-outcome service of this request."""
    return CohortService(session, principal)


def get_field_definition_service(session: SessionDep, principal: PrincipalDep) -> FieldDefinitionService:
    """The configurable-field service of this request."""
    return FieldDefinitionService(session, principal)


def get_export_service(session: SessionDep, principal: PrincipalDep) -> ExportService:
    """The CSV export service of this request."""
    return ExportService(session, principal)


def get_followup_service(session: SessionDep, principal: PrincipalDep) -> FollowupService:
    """The 管理検診 service of this request."""
    return FollowupService(session, principal)


def get_followup_settings_service(session: SessionDep, principal: PrincipalDep) -> FollowupSettingsService:
    """The 管理検診 / 行動調査 settings service for this request."""
    return FollowupSettingsService(session, principal, rescheduler=FollowupService(session, principal))


def get_investigation_service(session: SessionDep, principal: PrincipalDep) -> InvestigationService:
    """The 行動調査 service of this request."""
    return InvestigationService(session, principal)


PatientServiceDep = Annotated[PatientService, Depends(get_patient_service)]
PatientListServiceDep = Annotated[PatientListService, Depends(get_patient_list_service)]
PatientRecordServiceDep = Annotated[PatientRecordService, Depends(get_patient_record_service)]
LabResultServiceDep = Annotated[LabResultService, Depends(get_lab_result_service)]
CareServiceDep = Annotated[CareService, Depends(get_care_service)]
CareSnapshotServiceDep = Annotated[CareSnapshotService, Depends(get_care_snapshot_service)]
FieldDefinitionServiceDep = Annotated[FieldDefinitionService, Depends(get_field_definition_service)]
ExportServiceDep = Annotated[ExportService, Depends(get_export_service)]
DotsServiceDep = Annotated[DotsService, Depends(get_dots_service)]
CohortServiceDep = Annotated[CohortService, Depends(get_cohort_service)]
FollowupServiceDep = Annotated[FollowupService, Depends(get_followup_service)]
FollowupSettingsServiceDep = Annotated[FollowupSettingsService, Depends(get_followup_settings_service)]
InvestigationServiceDep = Annotated[InvestigationService, Depends(get_investigation_service)]
BoardServiceDep = Annotated[BoardService, Depends(get_board_service)]
BoardRecordServiceDep = Annotated[BoardRecordService, Depends(get_board_record_service)]
