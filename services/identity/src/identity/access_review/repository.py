"""Every query of the access review: the history it reads and the findings it keeps; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Date, cast, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.access_review.models import (
    UNREVIEWED,
    AccessFinding,
    AccessReviewMark,
    AccessReviewProgress,
    ProtectedPerson,
)
from identity.access_review.rules import LOOKS, REVIEW_RECORDS, Access
from identity.audit_log.models import AuditEvent

JST_DAY = cast(func.timezone("Asia/Tokyo", AuditEvent.occurred_at), Date)


class AccessReviewRepository:
    """Reads the operation history for the rules and keeps their findings, in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def progress(self, *, lock: bool = False) -> AccessReviewProgress:
        """How far the analysis has read; locked, two runs wait for each other."""
        query = select(AccessReviewProgress).where(AccessReviewProgress.id == 1)
        if lock:
            query = query.with_for_update()
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        assert row is not None, "migration 0004 creates the progress row"
        return row

    async def last_seq(self) -> int:
        """The newest seq of the operation history (0 when empty)."""
        return int(await self.session.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0))) or 0)

    async def days_after(self, seq: int, up_to: int) -> list[date]:
        """The Japanese dates of the rows after `seq` up to `up_to`."""
        rows = await self.session.scalars(
            select(JST_DAY).where(AuditEvent.seq > seq, AuditEvent.seq <= up_to).distinct().order_by(JST_DAY)
        )
        return list(rows)

    async def accesses(self, since: datetime, until: datetime, up_to: int) -> list[Access]:
        """Every access in [since, until) up to seq `up_to`, in time order."""
        rows = await self.session.execute(
            select(
                AuditEvent.seq,
                AuditEvent.occurred_at,
                AuditEvent.user_id,
                AuditEvent.username,
                AuditEvent.client_ip,
                AuditEvent.operation,
                AuditEvent.person_id,
                AuditEvent.record_type,
                AuditEvent.query,
                AuditEvent.detail,
            )
            .where(AuditEvent.occurred_at >= since, AuditEvent.occurred_at < until, AuditEvent.seq <= up_to)
            .order_by(AuditEvent.occurred_at, AuditEvent.seq)
        )
        return [Access(*row) for row in rows]

    async def people_per_day(self, since: datetime, until: datetime) -> dict[str, dict[date, int]]:
        """user -> Japanese date -> distinct people looked at, in [since, until) (the histories' own reading aside)."""
        rows = await self.session.execute(
            select(AuditEvent.user_id, JST_DAY, func.count(AuditEvent.person_id.distinct()))
            .where(
                AuditEvent.occurred_at >= since,
                AuditEvent.occurred_at < until,
                AuditEvent.person_id.is_not(None),
                AuditEvent.operation.in_(LOOKS),
                AuditEvent.record_type.not_in(REVIEW_RECORDS),
            )
            .group_by(AuditEvent.user_id, JST_DAY)
        )
        found: dict[str, dict[date, int]] = {}
        for user, day, count in rows:
            found.setdefault(user, {})[day] = count
        return found

    async def protected(self) -> dict[str, str]:
        """person_id -> why the person is protected."""
        return {row.person_id: row.reason for row in await self.session.scalars(select(ProtectedPerson))}

    async def findings_of_day(self, day: date) -> dict[tuple[str, str], AccessFinding]:
        """The findings kept for one day, by (rule, key)."""
        rows = await self.session.scalars(select(AccessFinding).where(AccessFinding.day == day))
        return {(row.rule, row.key): row for row in rows}

    async def upsert(self, values: dict) -> None:
        """Stores a finding, or refreshes what it found when it exists; its review stays as it was."""
        statement = insert(AccessFinding).values(**values)
        refreshed = {
            name: statement.excluded[name] for name in ("summary", "access_count", "evidence", "found_at", "username")
        }
        await self.session.execute(
            statement.on_conflict_do_update(constraint="uq_access_findings_rule_key", set_=refreshed)
        )

    async def drop(self, ids: Sequence[uuid.UUID]) -> None:
        """Removes findings that a fresh analysis no longer makes (only unreviewed ones are passed)."""
        if ids:
            await self.session.execute(
                delete(AccessFinding).where(AccessFinding.id.in_(ids), AccessFinding.status == UNREVIEWED)
            )

    async def get(self, finding_id: uuid.UUID) -> AccessFinding | None:
        """One finding, locked for a review."""
        return await self.session.scalar(select(AccessFinding).where(AccessFinding.id == finding_id).with_for_update())

    async def search(
        self, *, since: date | None, until: date | None, status: str | None, rule: str | None, limit: int, offset: int
    ) -> tuple[list[AccessFinding], int]:
        """Findings matching every criterion, newest day first, with the total count."""
        query = select(AccessFinding)
        if since:
            query = query.where(AccessFinding.day >= since)
        if until:
            query = query.where(AccessFinding.day <= until)
        if status:
            query = query.where(AccessFinding.status == status)
        if rule:
            query = query.where(AccessFinding.rule == rule)
        total = int(await self.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        rows = await self.session.scalars(
            query.order_by(AccessFinding.day.desc(), AccessFinding.rule, AccessFinding.username)
            .limit(limit)
            .offset(offset)
        )
        return list(rows), total

    async def counts(self, since: date, until: date) -> list[tuple[str, str, int]]:
        """(rule, status, count) of the findings of the days in [since, until]."""
        rows = await self.session.execute(
            select(AccessFinding.rule, AccessFinding.status, func.count())
            .where(AccessFinding.day >= since, AccessFinding.day <= until)
            .group_by(AccessFinding.rule, AccessFinding.status)
        )
        return [(rule, status, count) for rule, status, count in rows]

    async def marks(self, finding_id: uuid.UUID) -> list[AccessReviewMark]:
        """The review decisions on one finding, oldest first."""
        rows = await self.session.scalars(
            select(AccessReviewMark).where(AccessReviewMark.finding_id == finding_id).order_by(AccessReviewMark.id)
        )
        return list(rows)

    def add_mark(self, mark: AccessReviewMark) -> None:
        """Keeps a review decision."""
        self.session.add(mark)

    async def protected_list(self) -> list[ProtectedPerson]:
        """The protected people, newest first."""
        return list(await self.session.scalars(select(ProtectedPerson).order_by(ProtectedPerson.added_at.desc())))

    async def protect(self, person: ProtectedPerson) -> None:
        """Adds a person to the protected list, or updates the reason."""
        statement = insert(ProtectedPerson).values(
            person_id=person.person_id, reason=person.reason, added_by=person.added_by, added_at=person.added_at
        )
        await self.session.execute(
            statement.on_conflict_do_update(index_elements=["person_id"], set_={"reason": statement.excluded.reason})
        )

    async def unprotect(self, person_id: str) -> bool:
        """Removes a person from the protected list; False when they were not on it."""
        result = await self.session.execute(delete(ProtectedPerson).where(ProtectedPerson.person_id == person_id))
        return bool(result.rowcount)
