"""Queries of the change log; never commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.audit_log.models import AuditEvent
from identity.change_log.models import RealmChange, ServiceStart

_CHUNK = 1000  # rows per INSERT, well under PostgreSQL's 65,535 bind parameters

# Operation-history records that are changes of configuration rather than of a person's data.
CONFIGURATION_RECORDS = ("master_record", "field_definition", "access_group", "access_user", "user", "protected_person")


class ChangeLogRepository:
    """Keeps service starts and reads configuration changes from the operation history."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_start(self, values: dict) -> None:
        """Stores a start once (a repeated event changes nothing)."""
        await self.session.execute(insert(ServiceStart).values(**values).on_conflict_do_nothing())

    async def starts(
        self, since: datetime | None, until: datetime | None, service: str | None, limit: int
    ) -> list[ServiceStart]:
        """Starts in the period, newest first."""
        query = select(ServiceStart)
        if service:
            query = query.where(ServiceStart.service == service)
        if since:
            query = query.where(ServiceStart.started_at >= since)
        if until:
            query = query.where(ServiceStart.started_at < until)
        return list(await self.session.scalars(query.order_by(ServiceStart.started_at.desc()).limit(limit)))

    async def previous(self, service: str, before: datetime, event_id: uuid.UUID) -> ServiceStart | None:
        """The service's start just before one."""
        return await self.session.scalar(
            select(ServiceStart)
            .where(
                ServiceStart.service == service, ServiceStart.started_at <= before, ServiceStart.event_id != event_id
            )
            .order_by(ServiceStart.started_at.desc())
            .limit(1)
        )

    async def configuration_changes(
        self, since: datetime | None, until: datetime | None, limit: int
    ) -> list[AuditEvent]:
        """Changes of masters, form fields, access levels and accounts from the operation history, newest first."""
        query = select(AuditEvent).where(
            AuditEvent.record_type.in_(CONFIGURATION_RECORDS),
            AuditEvent.operation.in_(("create", "update", "delete")),
            AuditEvent.result == "success",
        )
        if since:
            query = query.where(AuditEvent.occurred_at >= since)
        if until:
            query = query.where(AuditEvent.occurred_at < until)
        return list(await self.session.scalars(query.order_by(AuditEvent.occurred_at.desc()).limit(limit)))

    async def latest_realm_change(self) -> datetime | None:
        """When the newest copied realm change happened."""
        return await self.session.scalar(select(func.max(RealmChange.time)))

    async def add_realm_changes(self, rows: list[dict]) -> int:
        """Stores the realm changes not yet held; returns how many were new."""
        added = 0
        for start in range(0, len(rows), _CHUNK):
            statement = insert(RealmChange).values(rows[start : start + _CHUNK]).on_conflict_do_nothing()
            added += len((await self.session.execute(statement.returning(RealmChange.id))).all())
        return added

    async def realm_changes(self, since: datetime | None, until: datetime | None, limit: int) -> list[RealmChange]:
        """Realm changes in the period, newest first."""
        query = select(RealmChange)
        if since:
            query = query.where(RealmChange.time >= since)
        if until:
            query = query.where(RealmChange.time < until)
        return list(await self.session.scalars(query.order_by(RealmChange.time.desc()).limit(limit)))
