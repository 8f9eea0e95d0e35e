"""What the operation history API accepts and returns."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict
from tbms_contracts.audit import Operation

from identity.audit_log.chain import ChainProblem, ChainReport
from identity.periods import HistoryFilter


class AuditEventFilter(HistoryFilter):
    """Which events to list: by operator, by person (本人開示), by operation, by service and by period."""

    person_id: str | None = None
    operation: Operation | None = None
    service: str | None = None


class AuditEventRead(BaseModel):
    """One recorded access to personal data."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    event_id: uuid.UUID
    occurred_at: datetime
    service: str
    user_id: str
    username: str
    client_ip: str
    operation: str
    result: str
    person_id: str | None
    record_type: str
    record_id: str | None
    query: str | None
    detail: str | None
    recorded_at: datetime


class AuditEventRow(Protocol):
    """A stored event as the CSV download reads it: the row itself, not a copy of each of up to 100,000 rows."""

    seq: int
    occurred_at: datetime
    service: str
    user_id: str
    username: str
    client_ip: str
    operation: str
    result: str
    person_id: str | None
    record_type: str
    record_id: str | None
    query: str | None
    detail: str | None


class AuditEventPage(BaseModel):
    """Events matching a filter, newest first."""

    items: list[AuditEventRead]


class DisclosureEntry(BaseModel):
    """One staff member's accesses to the person."""

    user_id: str
    username: str
    first_at: datetime
    last_at: datetime
    count: int
    operations: list[str]
    operation_labels: list[str]


class DisclosureReport(BaseModel):
    """Everyone who accessed one person's data, earliest first access first."""

    person_id: str
    generated_at: datetime
    items: list[DisclosureEntry]


class ChainVerification(BaseModel):
    """The outcome of checking the hash chain (N05)."""

    ok: bool
    checked: int
    last_seq: int
    broken_seq: int | None
    problem: ChainProblem | None
    message: str

    @classmethod
    def of(cls, report: ChainReport) -> ChainVerification:
        """The API view of a chain report."""
        return cls(
            ok=report.ok,
            checked=report.checked,
            last_seq=report.last_seq,
            broken_seq=report.broken_seq,
            problem=report.problem,
            message=report.message,
        )
