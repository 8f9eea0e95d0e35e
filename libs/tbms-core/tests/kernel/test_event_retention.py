"""Published outbox rows and inbox claims are deleted after their retention; pending and parked rows never are."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core import outbox
from tbms_core.db import Base, Database, utcnow
from tbms_core.events import Envelope
from tbms_core.housekeeping import EventLogSweep
from tbms_core.outbox import InboxMessage, OutboxMessage
from tbms_testing.services import drop_database, recreate_database
from tbms_testing.stack import ensure_infrastructure


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    """A scratch database holding the outbox and inbox tables."""
    ensure_infrastructure()
    name = f"tbms_retention_t{os.getpid()}"
    await recreate_database(name)
    database = Database(f"postgresql+asyncpg://tbms@127.0.0.1:55432/{name}")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[OutboxMessage.__table__, InboxMessage.__table__])
    yield database
    await database.dispose()
    await drop_database(name)


def event(n: int) -> Envelope:
    """A small synthetic event numbered n."""
    payload = OperationRecorded(
        occurred_at=utcnow(),
        service="t",
        user_id="u",
        username="tester",
        client_ip="",
        operation=Operation.READ,
        detail=str(n),
    )
    return Envelope.of(payload, aggregate_id=f"a{n}")


async def store(db: Database, *, published_days_ago: float | None, parked: bool = False) -> uuid.UUID:
    """One outbox row, published that many days ago (None: still pending)."""
    envelope = event(0)
    async with db.session() as session:
        await outbox.add(session, envelope)
    async with db.session() as session:
        published = None if published_days_ago is None else utcnow() - timedelta(days=published_days_ago)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == envelope.event_id)
            .values(
                published_at=published,
                parked_at=utcnow() - timedelta(days=90) if parked else None,
                created_at=utcnow() - timedelta(days=90),
            )
        )
    return envelope.event_id


async def claim(db: Database, days_ago: float) -> uuid.UUID:
    """One inbox claim made that many days ago."""
    event_id = uuid.uuid4()
    async with db.session() as session:
        session.add(InboxMessage(consumer="c", event_id=event_id, processed_at=utcnow() - timedelta(days=days_ago)))
    return event_id


async def remaining(db: Database, model: type[Base], ids: list[uuid.UUID]) -> set[uuid.UUID]:
    column = OutboxMessage.id if model is OutboxMessage else InboxMessage.event_id
    async with db.session() as session:
        return set(await session.scalars(select(column).where(column.in_(ids))))


@pytest.mark.req("N18", partial=True)
async def test_old_published_rows_and_claims_go_while_pending_parked_and_recent_ones_stay(db: Database) -> None:
    old_sent = await store(db, published_days_ago=46)
    recent_sent = await store(db, published_days_ago=10)
    pending = await store(db, published_days_ago=None)
    parked = await store(db, published_days_ago=None, parked=True)
    old_claim, recent_claim = await claim(db, 46), await claim(db, 40)
    sweep = EventLogSweep(db, outbox_days=45, inbox_days=45, interval=3600, batch=1)  # batches of one: loops
    result = await sweep.sweep()
    assert (result.outbox, result.inbox) == (1, 1)
    assert await remaining(db, OutboxMessage, [old_sent, recent_sent, pending, parked]) == {
        recent_sent,
        pending,
        parked,
    }
    assert await remaining(db, InboxMessage, [old_claim, recent_claim]) == {recent_claim}
    assert (await sweep.sweep()).outbox == 0


async def test_a_backlog_is_deleted_in_batches(db: Database) -> None:
    for _ in range(7):
        await claim(db, 100)
    result = await EventLogSweep(db, outbox_days=45, inbox_days=45, interval=3600, batch=3).sweep()
    assert result.inbox == 7
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(InboxMessage)) == 0


def test_an_inbox_retention_shorter_than_the_streams_is_refused() -> None:
    with pytest.raises(ValueError, match="30 days"):
        EventLogSweep(None, outbox_days=1, inbox_days=20, interval=3600)  # type: ignore[arg-type]
