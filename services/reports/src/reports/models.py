"""Every table of the reports database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from reports.board_record.models import BoardRecord
from reports.care_record.models import CareRecord
from reports.document.models import Document
from reports.lab_result.models import LabResult
from reports.master_snapshot.models import MasterSnapshot
from reports.patient_summary.models import PatientSummary

metadata = Base.metadata
__all__ = [
    "BoardRecord",
    "CareRecord",
    "Document",
    "InboxMessage",
    "LabResult",
    "MasterSnapshot",
    "OutboxMessage",
    "PatientSummary",
    "metadata",
]
