"""Audit emission: every access to personal data becomes an event in the caller's transaction (N05)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation, OperationRecorded

from tbms_core import outbox
from tbms_core.auth import Principal
from tbms_core.db import utcnow
from tbms_core.events import Envelope


async def record(
    session: AsyncSession,
    principal: Principal,
    service: str,
    operation: Operation,
    *,
    record_type: str,
    record_id: object = None,
    person_id: object = None,
    query: str | None = None,
    detail: str | None = None,
    result: str = "success",
) -> None:
    """Records who did what to whose data, from which terminal; published through the outbox."""
    event = OperationRecorded(
        occurred_at=utcnow(),
        service=service,
        user_id=principal.user_id,
        username=principal.username,
        client_ip=principal.client_ip,
        operation=operation,
        result=result,
        person_id=str(person_id) if person_id is not None else None,
        record_type=record_type,
        record_id=str(record_id) if record_id is not None else None,
        query=query,
        detail=detail,
    )
    envelope = Envelope.of(event, aggregate_id=record_id or person_id or principal.user_id, actor=principal.user_id)
    await outbox.add(session, envelope, subject=f"tbms.audit.{service}.operation.recorded.v1")
