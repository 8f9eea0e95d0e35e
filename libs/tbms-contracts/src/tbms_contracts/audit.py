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
