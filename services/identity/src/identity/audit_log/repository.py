"""Every query of the operation history and its chain head and checkpoint; never commits."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, literal, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation

from identity.audit_log.models import AuditChainCheckpoint, AuditChainHead, AuditEvent

QUERY_BATCH = 5000  # distinct search texts fetched at a time from the server-side cursor


class AuditEventRepository:
    """Appends to and reads the operation history in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock_head(self) -> AuditChainHead:
        """The chain head, locked until the transaction ends: appends wait for each other here."""
        head = await self.session.scalar(
            select(AuditChainHead)
            .where(AuditChainHead.id == 1)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert head is not None, "migration 0001 creates the chain head"
        return head

    async def holds(self, event_id: uuid.UUID) -> bool:
        """True when the event is already in the history."""
        return bool(await self.session.scalar(select(AuditEvent.seq).where(AuditEvent.event_id == event_id)))

    async def add_after(self, head: AuditChainHead, row: AuditEvent, *, mac: str) -> AuditEvent:
        """Stores a chained row and moves the chain head, with its new seal, to it."""
        self.session.add(row)
        head.seq, head.hash, head.mac = row.seq, row.hash, mac
        await self.session.flush()
        return row

    async def head_position(self) -> Row[tuple[int, str, uuid.UUID, str | None]]:
        """The seq, hash, chain id and seal the chain head holds now, without loading or locking it."""
        statement = select(AuditChainHead.seq, AuditChainHead.hash, AuditChainHead.chain_id, AuditChainHead.mac)
        return (await self.session.execute(statement)).one()

    async def checkpoint_position(self) -> Row[tuple[int, str, str | None]] | None:
        """The seq, hash and seal where the chain resumes after a purge, or None before the first purge."""
        statement = select(AuditChainCheckpoint.seq, AuditChainCheckpoint.hash, AuditChainCheckpoint.mac)
        return (await self.session.execute(statement)).one_or_none()

    async def chained_rows(self, *, after: int, batch: int) -> AsyncIterator[Mapping[str, Any]]:
        """Every row after a seq in seq order, every column, read `batch` rows at a time."""
        last = after
        while True:
            result = await self.session.execute(
                select(*AuditEvent.__table__.columns).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
            )
            rows = [row._mapping for row in result]
            for row in rows:
                yield row
            if len(rows) < batch:
                return
            last = rows[-1]["seq"]

    async def search(
        self,
        *,
        user: str | None,
        person_id: str | None,
        operation: str | None,
        service: str | None,
        since: datetime | None,
        until: datetime | None,
        limit: int,
    ) -> list[AuditEvent]:
        """Events matching every given criterion, newest first."""
        query = select(AuditEvent)
        if user:
            query = query.where(or_(AuditEvent.user_id == user, AuditEvent.username == user))
        if person_id:
            query = query.where(AuditEvent.person_id == person_id)
        if operation:
            query = query.where(AuditEvent.operation == str(operation))
        if service:
            query = query.where(AuditEvent.service == service)
        if since:
            query = query.where(AuditEvent.occurred_at >= since)
        if until:
            query = query.where(AuditEvent.occurred_at < until)
        rows = await self.session.scalars(
            query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.seq.desc()).limit(limit)
        )
        return list(rows)

    async def accesses_by_user(
        self, person_id: str, *, excluding_service: str
    ) -> list[Row[tuple[str, str, datetime, datetime, int, list[str]]]]:
        """Per user: name, first and last access, count and operations on one person's data, earliest first."""
        query = (
            select(
                AuditEvent.user_id,
                func.max(AuditEvent.username),
                func.min(AuditEvent.occurred_at),
                func.max(AuditEvent.occurred_at),
                func.count(),
                func.array_agg(func.distinct(AuditEvent.operation)),
            )
            .where(AuditEvent.person_id == person_id, AuditEvent.service != excluding_service)
            .group_by(AuditEvent.user_id)
            .order_by(func.min(AuditEvent.occurred_at))
        )
        return list(await self.session.execute(query))

    async def monthly_counts(self, since: datetime, until: datetime) -> list[tuple[str, str, str, int]]:
        """(JST month YYYY-MM, operation, service, rows) of the history between two moments, counted in the database."""
        month = func.to_char(func.timezone("Asia/Tokyo", AuditEvent.occurred_at), "YYYY-MM")
        statement = (
            select(month, AuditEvent.operation, AuditEvent.service, func.count())
            .where(AuditEvent.occurred_at >= since, AuditEvent.occurred_at < until)
            .group_by(month, AuditEvent.operation, AuditEvent.service)
        )
        return [(row[0], row[1], row[2], row[3]) for row in await self.session.execute(statement)]

    async def search_queries(self, since: datetime, until: datetime) -> AsyncIterator[tuple[str, int]]:
        """(query text, searches) of every search between two moments, counted per distinct text in the database and
        streamed, so memory holds one batch of distinct texts, never the searches themselves."""
        # 'search' written into the SQL, not bound: a generic plan of the prepared statement then still proves the
        # partial index ix_audit_events_searches applies.
        statement = (
            select(AuditEvent.query, func.count())
            .where(
                AuditEvent.operation == literal(Operation.SEARCH.value, literal_execute=True),
                AuditEvent.occurred_at >= since,
                AuditEvent.occurred_at < until,
                AuditEvent.query.is_not(None),
            )
            .group_by(AuditEvent.query)
            .execution_options(yield_per=QUERY_BATCH)
        )
        async for batch in (await self.session.stream(statement)).partitions():  # a row at a time is 3x slower
            for query, searches in batch:
                yield query, searches

    async def first_seq_since(self, moment: datetime) -> int | None:
        """The seq of the first event that happened at or after a moment, or None."""
        first = await self.session.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.occurred_at >= moment))
        return int(first) if first is not None else None

    async def head_seq(self) -> int:
        """The seq of the last chained row (0 for an empty history)."""
        head = await self.session.get(AuditChainHead, 1)
        return head.seq if head is not None else 0

    async def hash_of(self, seq: int) -> str | None:
        """The stored hash of one row."""
        return await self.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))

    async def hashes_of(self, seqs: list[int]) -> dict[int, str]:
        """The hash of each of these seqs that is still in the history."""
        statement = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(seqs))
        return dict((await self.session.execute(statement)).tuples().all())

    async def lock_checkpoint(self) -> AuditChainCheckpoint:
        """The purge checkpoint, locked until the transaction ends."""
        checkpoint = await self.session.get(AuditChainCheckpoint, 1, with_for_update=True)
        assert checkpoint is not None, "migration 0002 creates the checkpoint"
        return checkpoint

    async def delete_through(self, seq: int) -> int:
        """Deletes every row up to a seq, the one purge the append-only trigger lets through; how many went."""
        await self.session.execute(text("SET LOCAL tbms.audit_purge = 'on'"))
        deleted = (await self.session.execute(delete(AuditEvent).where(AuditEvent.seq <= seq))).rowcount
        await self.session.execute(text("SET LOCAL tbms.audit_purge = 'off'"))
        return int(deleted)
