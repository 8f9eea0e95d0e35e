"""Every table of the patients database, for Alembic."""

from tbms_core.db import Base
from tbms_core.deadlines import PublishedDeadlines
from tbms_core.outbox import InboxMessage, OutboxMessage

from patients.board.models import BoardCase, BoardSession, Measure, NumberCounter, PatientCard, RecipientNumber
from patients.care.models import Hospitalisation, ProgressNote, Transfer, TransferSending, Treatment
from patients.code_list.models import CodeEntry
from patients.custom_field.models import FieldDefinition
from patients.followup.models import FollowupExam, FollowupPlan
from patients.gaiji.models import GaijiRecord
from patients.history.models import RecordVersion
from patients.investigation.models import Investigation
from patients.lab_result.models import LabResult
from patients.patient.models import Patient, RegistrationCounter
from patients.patient_list.models import PatientListFacts
from patients.retention.models import RetentionDeletion

metadata = Base.metadata
__all__ = [
    "BoardCase",
    "BoardSession",
    "CodeEntry",
    "FieldDefinition",
    "FollowupExam",
    "FollowupPlan",
    "GaijiRecord",
    "Hospitalisation",
    "InboxMessage",
    "Investigation",
    "LabResult",
    "Measure",
    "NumberCounter",
    "OutboxMessage",
    "Patient",
    "PatientCard",
    "PatientListFacts",
    "ProgressNote",
    "PublishedDeadlines",
    "RecipientNumber",
    "RecordVersion",
    "RegistrationCounter",
    "RetentionDeletion",
    "Transfer",
    "TransferSending",
    "Treatment",
    "metadata",
]
