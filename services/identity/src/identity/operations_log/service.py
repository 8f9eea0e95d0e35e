"""Reading and feeding the operations log (N18)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation, OperationsLogged
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.events import Envelope

from identity.operations_log.repository import OperationsLogRepository
from identity.operations_log.schemas import ComponentStateRead, OperationsEntryRead, OperationsLogPage

SERVICE = "identity"


async def store_entry(session: AsyncSession, envelope: Envelope) -> None:
    """Keeps one OperationsLogged a service published (from the audit stream); a repeat changes nothing."""
    event = OperationsLogged.model_validate(envelope.payload)
    await OperationsLogRepository(session).add(
        envelope.event_id, event.occurred_at, event.kind.value, event.component, dict(event.details)
    )


class OperationsLogService:
    """Reads the operations log for administrators with audit access; reading it is recorded."""

    def __init__(self, session: AsyncSession, principal: Principal, retention_days: float) -> None:
        self.session, self.principal, self.retention_days = session, principal, retention_days
        self.repo = OperationsLogRepository(session)

    async def read(
        self, kind: str | None, since: datetime | None, until: datetime | None, offset: int, limit: int
    ) -> OperationsLogPage:
        """A page of entries, newest first, with the components' last states."""
        self.principal.require(Area.AUDIT, Access.READ)
        rows, total = await self.repo.page(kind, since, until, offset, limit)
        states = [ComponentStateRead.model_validate(s, from_attributes=True) for s in await self.repo.states()]
        await audit.record(self.session, self.principal, SERVICE, Operation.READ, record_type="operations_log")
        return OperationsLogPage(
            items=[OperationsEntryRead.model_validate(row, from_attributes=True) for row in rows],
            total=total,
            offset=offset,
            limit=limit,
            components=states,
            retention_days=self.retention_days,
        )
