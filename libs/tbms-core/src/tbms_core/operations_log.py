"""Entries of the operations log (N18): a service records a failure it handled, identity keeps it three years.

The entry travels like an audit record (outbox, then `tbms.audit.<service>.>`, which identity consumes), so it is
not lost when NATS or identity is down. Its event id is derived from what happened, so the same failure recorded
twice (a redelivered message parked again) is one entry. Details name what failed, never a person or a payload.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import OperationsKind, OperationsLogged

from tbms_core import outbox
from tbms_core.db import utcnow
from tbms_core.events import Envelope

NAMESPACE = uuid.UUID("6f1d3c0e-4b7a-5e1c-9a60-0c1f0e2d8b11")
_ERROR_TYPE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)\(")


def subject(service: str) -> str:
    """The subject a service's entries are published on: under its own audit subjects."""
    return f"tbms.audit.{service}.operations.logged.v1"


def entry_id(*parts: object) -> uuid.UUID:
    """A stable event id for one occurrence, so recording it again changes nothing."""
    return uuid.uuid5(NAMESPACE, "\x1f".join(str(part) for part in parts))


def error_type(error: str) -> str:
    """The kind of an error without its message (a message may quote a person's data): `IntegrityError(...)` →
    `IntegrityError`; an unreadable event → `unreadable event`."""
    if match := _ERROR_TYPE.match(error.strip()):
        return match[1]
    return error.split(":", 1)[0].strip()[:100] or "unknown"


async def record(
    session: AsyncSession,
    service: str,
    kind: OperationsKind,
    details: dict[str, str],
    *,
    event_id: uuid.UUID,
    occurred_at: datetime | None = None,
) -> None:
    """Writes one operations-log entry into the caller's transaction (published by the outbox relay)."""
    event = OperationsLogged(occurred_at=occurred_at or utcnow(), kind=kind, component=service, details=details)
    envelope = Envelope.of(event, aggregate_id=f"operations:{service}", actor="system")
    await outbox.add(session, envelope.model_copy(update={"event_id": event_id}), subject=subject(service))
