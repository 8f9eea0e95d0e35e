"""The outbox relay: nothing lost, nothing doubled, order kept (DESIGN §3), against real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import nats
import pytest
from nats.js.api import DeliverPolicy
from sqlalchemy import select
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core import outbox
from tbms_core.db import Base, Database, utcnow
from tbms_core.events import Envelope
from tbms_core.outbox import OutboxMessage
from tbms_core.relay import OutboxRelay, ensure_streams
from tbms_testing.services import drop_database, recreate_database
from tbms_testing.stack import ensure_infrastructure

NATS_URL = "nats://127.0.0.1:54222"
SUBJECT = "tbms.audit.relaytest.operation.recorded.v1"


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    """A scratch database holding only the outbox table."""
    ensure_infrastructure()
    name = f"tbms_relay_t{os.getpid()}"
    await recreate_database(name)
    database = Database(f"postgresql+asyncpg://tbms@127.0.0.1:55432/{name}")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[OutboxMessage.__table__])
    yield database
    await database.dispose()
    await drop_database(name)


def audit_event(n: int) -> Envelope:
    """A small synthetic audit event numbered n."""
    payload = OperationRecorded(
        occurred_at=utcnow(),
        service="relaytest",
        user_id="u",
        username="tester",
        client_ip="127.0.0.1",
        operation=Operation.READ,
        detail=str(n),
    )
    return Envelope.of(payload, aggregate_id=f"a{n}")


async def relay_for(db: Database) -> OutboxRelay:
    """A relay connected to JetStream, as a service runs it."""
    relay = OutboxRelay("relaytest", db, NATS_URL)
    nc = await nats.connect(NATS_URL)
    relay._js = nc.jetstream()
    await ensure_streams(relay._js)
    return relay


async def test_events_are_published_in_order_once_with_their_id_and_marked_sent(db: Database) -> None:
    nc = await nats.connect(NATS_URL)
    sub = await nc.jetstream().subscribe(SUBJECT, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW)
    events = [audit_event(n) for n in range(5)]
    async with db.session() as session:
        for event in events:
            await outbox.add(session, event, subject=SUBJECT)
    relay = await relay_for(db)
    assert await relay.publish_pending() == 5
    received = [await sub.next_msg(timeout=5) for _ in events]
    assert [m.headers["Nats-Msg-Id"] for m in received] == [str(e.event_id) for e in events]
    assert [json.loads(m.data)["payload"]["detail"] for m in received] == ["0", "1", "2", "3", "4"]
    async with db.session() as session:
        assert all(row.published_at for row in await session.scalars(select(OutboxMessage)))
    assert await relay.publish_pending() == 0
    await nc.close()


async def test_a_crash_between_publish_and_marking_does_not_duplicate(db: Database) -> None:
    event = audit_event(7)
    async with db.session() as session:
        await outbox.add(session, event, subject=SUBJECT)
    relay = await relay_for(db)
    await relay.publish_pending()
    async with db.session() as session:  # as if the process died before its commit: the row is unsent again
        row = await session.get(OutboxMessage, event.event_id)
        row.published_at = None
    js = (await nats.connect(NATS_URL)).jetstream()
    before = (await js.stream_info("AUDIT")).state.messages
    assert await relay.publish_pending() == 1
    assert (await js.stream_info("AUDIT")).state.messages == before, "JetStream dropped the duplicate"


async def test_an_event_that_cannot_be_published_stays_in_the_outbox(db: Database) -> None:
    event = audit_event(9)
    async with db.session() as session:
        await outbox.add(session, event, subject="not.a.stream.subject")
    relay = await relay_for(db)
    assert await relay.publish_pending() == 0
    async with db.session() as session:
        row = await session.get(OutboxMessage, event.event_id)
        assert row.published_at is None and row.attempts == 1 and row.last_error
    assert uuid.UUID(str(row.id)) == event.event_id


async def test_the_relay_is_woken_once_per_transaction_that_adds_events(db: Database) -> None:
    listener = await asyncpg.connect(str(db.engine.url).replace("+asyncpg", ""))
    wakeups: list[str] = []
    await listener.add_listener(outbox.NOTIFY_CHANNEL, lambda *args: wakeups.append(args[-1]))
    try:
        async with db.sessions() as session:
            for n in range(3):
                await outbox.add(session, audit_event(n), subject=SUBJECT)
            await session.commit()
            await outbox.add(session, audit_event(3), subject=SUBJECT)  # the same session's next transaction
            await session.commit()
        await asyncio.sleep(0.3)
    finally:
        await listener.close()
    assert len(wakeups) == 2
    async with db.sessions() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == 4


async def test_a_running_relay_returns_when_asked_to_stop(db: Database) -> None:
    relay = OutboxRelay("relaytest", db, NATS_URL, poll_seconds=30)
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.5)  # connected and waiting for a wake-up
    relay.stop()
    await asyncio.wait_for(task, timeout=5)
