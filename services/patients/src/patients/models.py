"""Every table of the patients database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from patients.history.models import RecordVersion
from patients.lab_result.models import LabResult
from patients.patient.models import Patient, RegistrationCounter

metadata = Base.metadata
__all__ = [
    "InboxMessage",
    "LabResult",
    "OutboxMessage",
    "Patient",
    "RecordVersion",
    "RegistrationCounter",
    "metadata",
]
