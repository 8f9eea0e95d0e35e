"""Every query of the operation history; appends are serialised on the chain head; never commits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import OperationRecorded
from tbms_core.db import utcnow

from identity.audit_log.chain import chain_hash
from identity.audit_log.models import AuditChainHead, AuditEvent
from identity.audit_log.schemas import AuditEventFilter


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class AuditEventRepository:
    """Appends to and reads the operation history in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, event_id: uuid.UUID, event: OperationRecorded) -> AuditEvent | None:
        """Chains one event after the current head; None when that event is already stored."""
        head = await self.session.scalar(
            select(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert head is not None, "migration 0001 creates the chain head"
        if await self.session.scalar(select(AuditEvent.seq).where(AuditEvent.event_id == event_id)):
            return None
        content = self._content(head.seq + 1, event_id, event)
        row = AuditEvent(**content, prev_hash=head.hash, hash=chain_hash(head.hash, content))
        self.session.add(row)
        head.seq, head.hash = row.seq, row.hash
        await self.session.flush()
        return row

    @staticmethod
    def _content(seq: int, event_id: uuid.UUID, event: OperationRecorded) -> dict[str, Any]:
        return {
            "seq": seq,
            "event_id": event_id,
            "occurred_at": _aware(event.occurred_at),
            "service": event.service,
            "user_id": event.user_id,
            "username": event.username,
            "client_ip": event.client_ip,
            "operation": str(event.operation),
            "result": event.result,
            "person_id": event.person_id,
            "record_type": event.record_type,
            "record_id": event.record_id,
            "query": event.query,
            "detail": event.detail,
            "recorded_at": utcnow(),
        }

    async def search(self, criteria: AuditEventFilter) -> list[AuditEvent]:
        """Events matching every given criterion, newest first."""
        query = select(AuditEvent)
        if criteria.user:
            query = query.where(or_(AuditEvent.user_id == criteria.user, AuditEvent.username == criteria.user))
        if criteria.person_id:
            query = query.where(AuditEvent.person_id == criteria.person_id)
        if criteria.operation:
            query = query.where(AuditEvent.operation == str(criteria.operation))
        if criteria.service:
            query = query.where(AuditEvent.service == criteria.service)
        if criteria.since:
            query = query.where(AuditEvent.occurred_at >= criteria.since)
        if criteria.until:
            query = query.where(AuditEvent.occurred_at < criteria.until)
        rows = await self.session.scalars(
            query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.seq.desc()).limit(criteria.limit)
        )
        return list(rows)
