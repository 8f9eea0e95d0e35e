"""Audit events: one per access to personal data, consumed by identity (R36, N05)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Operation(StrEnum):
    """What the user did with the data."""

    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    PRINT = "print"
    EXPORT = "export"
    DOWNLOAD = "download"
    SEARCH = "search"
    LOGIN = "login"


class OperationRecorded(BaseModel):
    """Somebody read, changed, printed, exported or searched personal data."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.audit.operation.recorded.v1"

    occurred_at: datetime
    service: str
    user_id: str
    username: str
    client_ip: str
    operation: Operation
    result: str = "success"
    person_id: str | None = None
    record_type: str = ""
    record_id: str | None = None
    query: str | None = None
    detail: str | None = None


class DeploymentRecorded(BaseModel):
    """A service started: which version, on which database migration, with which settings (N28).

    identity keeps these as the change log; a start whose version, migration or settings differ from the
    service's previous start is a deployment or a configuration change."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.audit.deployment.recorded.v1"

    started_at: datetime
    service: str
    environment: str
    version: str
    commit: str = ""
    migration: str = ""  # the Alembic revision the database is at
    host: str
    started_by: str
    settings_digest: str  # SHA-256 of the settings without secrets: equal digests, equal configuration


class OperationsKind(StrEnum):
    """What happened to the system, as kept in the operations log (N18)."""

    COMPONENT_DOWN = "component_down"
    COMPONENT_UP = "component_up"
    MESSAGE_PARKED = "message_parked"  # a consumer gave up on an event and parked it
    OUTBOX_PARKED = "outbox_parked"  # an event could not be published and was parked
    RECONCILIATION_REPAIR = "reconciliation_repair"
    MAINTENANCE_START = "maintenance_start"
    MAINTENANCE_END = "maintenance_end"


class OperationsLogged(BaseModel):
    """Something an operator must be able to look back on for three years: a failure, a repair, a planned stop.

    `details` names what failed and how (consumer, subject, event id, error type), never a person or a payload."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.audit.operations.logged.v1"

    occurred_at: datetime
    kind: OperationsKind
    component: str
    details: dict[str, str] = {}
