"""Every table of the reports database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from reports.document.models import Document
from reports.patient_summary.models import PatientSummary

metadata = Base.metadata
__all__ = ["Document", "InboxMessage", "OutboxMessage", "PatientSummary", "metadata"]
