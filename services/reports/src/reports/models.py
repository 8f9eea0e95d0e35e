"""Every table of the reports database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from reports.attachment.models import Attachment, AttachmentFile
from reports.batch.models import PrintBatch
from reports.board_record.models import BoardRecord
from reports.care_record.models import CareRecord
from reports.circulation_stamp.models import CirculationStamp
from reports.document.models import Document
from reports.document_key.models import DocumentKey, DocumentKeyErasure
from reports.form_template.models import FormTemplate
from reports.lab_result.models import LabResult
from reports.master_snapshot.models import MasterSnapshot
from reports.package.models import DocumentPackage
from reports.patient_summary.models import PatientSummary
from reports.request_letter.models import ContactSummary, RequestSummary

metadata = Base.metadata
__all__ = [
    "Attachment",
    "AttachmentFile",
    "BoardRecord",
    "CareRecord",
    "CirculationStamp",
    "ContactSummary",
    "Document",
    "DocumentKey",
    "DocumentKeyErasure",
    "DocumentPackage",
    "FormTemplate",
    "InboxMessage",
    "LabResult",
    "MasterSnapshot",
    "OutboxMessage",
    "PatientSummary",
    "PrintBatch",
    "RequestSummary",
    "metadata",
]
