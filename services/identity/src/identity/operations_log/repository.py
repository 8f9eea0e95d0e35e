"""Queries of the operations log; never commits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.operations_log.models import ComponentHealth, OperationsEntry

# entries past the retention, a batch at a time (tbms_core.housekeeping.delete_in_batches)
DELETE_OLDER = text(
    "DELETE FROM operations_log WHERE id IN (SELECT id FROM operations_log WHERE occurred_at < :cutoff LIMIT :batch)"
)

MODE_COMPONENT = "gateway-maintenance-mode"  # the maintenance mode's last state seen, kept like a component's


class OperationsLogRepository:
    """Adds entries once and reads them a page at a time."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, event_id: uuid.UUID, occurred_at: datetime, kind: str, component: str, details: dict[str, str]
    ) -> bool:
        """Stores an entry once (the same event id again changes nothing); True when it was new."""
        statement = (
            insert(OperationsEntry)
            .values(event_id=event_id, occurred_at=occurred_at, kind=kind, component=component, details=details)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(OperationsEntry.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def has(self, event_id: uuid.UUID) -> bool:
        """True when the entry with this event id is stored."""
        found = await self.session.scalar(select(OperationsEntry.id).where(OperationsEntry.event_id == event_id))
        return found is not None

    def _filtered(
        self, query: Select[Any], kind: str | None, since: datetime | None, until: datetime | None
    ) -> Select[Any]:
        if kind:
            query = query.where(OperationsEntry.kind == kind)
        if since:
            query = query.where(OperationsEntry.occurred_at >= since)
        if until:
            query = query.where(OperationsEntry.occurred_at < until)
        return query

    async def page(
        self, kind: str | None, since: datetime | None, until: datetime | None, offset: int, limit: int
    ) -> tuple[list[OperationsEntry], int]:
        """Entries of a period, newest first, and how many there are in all."""
        query = self._filtered(select(OperationsEntry), kind, since, until)
        total = await self.session.scalar(self._filtered(select(func.count(OperationsEntry.id)), kind, since, until))
        rows = await self.session.scalars(
            query.order_by(OperationsEntry.occurred_at.desc(), OperationsEntry.id.desc()).offset(offset).limit(limit)
        )
        return list(rows), total or 0

    async def change_health(self, component: str, up: bool, at: datetime) -> bool | None:
        """Records the state seen now; True/False when it changed (or is first seen down), None when unchanged.

        The compare-and-set in one statement means two watchers never log the same change twice."""
        first = await self.session.execute(
            insert(ComponentHealth)
            .values(component=component, up=up, since=at, checked_at=at)
            .on_conflict_do_nothing(index_elements=["component"])
            .returning(ComponentHealth.component)
        )
        if first.first() is not None:
            return False if not up else None  # a component down when first watched is worth an entry
        changed = await self.session.execute(
            update(ComponentHealth)
            .where(ComponentHealth.component == component, ComponentHealth.up.is_not(up))
            .values(up=up, since=at, checked_at=at)
            .returning(ComponentHealth.component)
        )
        if changed.first() is not None:
            return up
        await self.session.execute(
            update(ComponentHealth).where(ComponentHealth.component == component).values(checked_at=at)
        )
        return None

    async def states(self) -> list[ComponentHealth]:
        """The last state seen of every watched component (not the maintenance mode's, kept in the same table)."""
        statement = select(ComponentHealth).where(ComponentHealth.component != MODE_COMPONENT)
        return list(await self.session.scalars(statement.order_by(ComponentHealth.component)))
