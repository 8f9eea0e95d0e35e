"""Every table of the identity database, for Alembic."""

from tbms_core.db import Base
from tbms_core.outbox import InboxMessage, OutboxMessage

from identity.access_review.models import AccessFinding, AccessReviewMark, AccessReviewProgress, ProtectedPerson
from identity.assignments.models import DistrictStaff, DistrictTeam, PersonAssignment, RecordParticipant
from identity.audit_log.models import AuditChainCheckpoint, AuditChainHead, AuditEvent
from identity.change_log.models import ServiceStart
from identity.login_history.models import LoginEvent
from identity.operations_log.models import ComponentHealth, OperationsEntry
from identity.review_calendar.models import PeriodicReview
from identity.rights_review.models import RightsConfirmation

metadata = Base.metadata
__all__ = [
    "AccessFinding",
    "AccessReviewMark",
    "AccessReviewProgress",
    "AuditChainCheckpoint",
    "AuditChainHead",
    "AuditEvent",
    "ComponentHealth",
    "DistrictStaff",
    "DistrictTeam",
    "InboxMessage",
    "LoginEvent",
    "OperationsEntry",
    "OutboxMessage",
    "PeriodicReview",
    "PersonAssignment",
    "ProtectedPerson",
    "RecordParticipant",
    "RightsConfirmation",
    "ServiceStart",
    "metadata",
]
