"""The outbox relay: nothing lost, nothing doubled, order kept (DESIGN §3), against real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import nats
import pytest
from nats.js.api import DeliverPolicy
from sqlalchemy import select
from tbms_contracts.audit import Operation, OperationRecorded, OperationsKind, OperationsLogged
from tbms_core import outbox
from tbms_core.db import Base, Database, utcnow
from tbms_core.events import Envelope
from tbms_core.operations_log import subject
from tbms_core.outbox import OutboxMessage
from tbms_core.relay import OutboxRelay, ensure_streams
from tbms_testing.scratch import free_port
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


def audit_event(n: int, *, aggregate: str | None = None) -> Envelope:
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
    return Envelope.of(payload, aggregate_id=aggregate or f"a{n}")


async def relay_for(db: Database, *, max_attempts: int = 10) -> OutboxRelay:
    """A relay connected to JetStream, as a service runs it."""
    relay = OutboxRelay("relaytest", db, NATS_URL, max_attempts=max_attempts)
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
    before = await messages_on(js, SUBJECT)  # only this subject: the running stack writes to AUDIT meanwhile
    assert await relay.publish_pending() == 1
    assert await messages_on(js, SUBJECT) == before, "JetStream dropped the duplicate"


async def messages_on(js, subject: str) -> int:  # type: ignore[no-untyped-def]
    """How many messages the AUDIT stream holds on one subject."""
    return ((await js.stream_info("AUDIT", subjects_filter=subject)).state.subjects or {}).get(subject, 0)


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


async def logged(db: Database) -> list[OperationsLogged]:
    """The operations-log entries the relay wrote to the outbox."""
    async with db.session() as session:
        rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.subject == subject("relaytest")))
        return [OperationsLogged.model_validate(row.payload["payload"]) for row in rows]


async def stored(db: Database, *events: Envelope) -> list[OutboxMessage]:
    """The outbox rows of the given events, in the same order."""
    async with db.session() as session:
        return [await session.get(OutboxMessage, event.event_id) for event in events]


@pytest.mark.req("N18", partial=True)
class TestOneBadEventDoesNotJamTheRelay:
    """An event that cannot be published is parked after a few attempts; the others keep flowing, in order."""

    async def test_an_unpublishable_event_is_parked_after_the_max_attempts_and_the_events_behind_it_flow(
        self, db: Database, caplog: pytest.LogCaptureFixture
    ) -> None:
        too_large = audit_event(0)
        too_large.payload["detail"] = "x" * 2_000_000  # over NATS max_payload (1 MB)
        others = [audit_event(n) for n in (1, 2)]
        async with db.session() as session:
            for event in (too_large, *others):
                await outbox.add(session, event, subject=SUBJECT)
        relay = await relay_for(db, max_attempts=3)
        assert await relay.publish_pending() == 2, "the events of other aggregates are not held back"
        with caplog.at_level(logging.ERROR):
            assert await relay.publish_pending() == 0
            assert await relay.publish_pending() == 0
        [bad, *rest] = await stored(db, too_large, *others)
        assert bad.attempts == 3 and bad.parked_at and bad.published_at is None and "Payload" in bad.last_error
        assert all(row.published_at for row in rest)
        assert f"outbox event {too_large.event_id}" in caplog.text and "parked after 3 failed attempts" in caplog.text
        assert await relay.publish_pending() == 1, "only the parking's entry in the operations log (N18)"
        [entry] = await logged(db)
        assert entry.kind == OperationsKind.OUTBOX_PARKED and entry.component == "relaytest"
        assert entry.details == {
            "subject": SUBJECT,
            "event_id": str(too_large.event_id),
            "attempts": "3",
            "error": "MaxPayloadError",
        }
        assert await relay.publish_pending() == 0  # parked: not tried again
        [bad] = await stored(db, too_large)
        assert bad.attempts == 3

    async def test_a_later_event_of_the_same_aggregate_waits_until_the_earlier_one_is_published(
        self, db: Database
    ) -> None:
        nc = await nats.connect(NATS_URL)
        sub = await nc.jetstream().subscribe(SUBJECT, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW)
        first, second = audit_event(1, aggregate="p1"), audit_event(2, aggregate="p1")
        other = audit_event(3, aggregate="p2")
        async with db.session() as session:
            await outbox.add(session, first, subject="not.a.stream.subject")
            await outbox.add(session, second, subject=SUBJECT)
            await outbox.add(session, other, subject=SUBJECT)
        relay = await relay_for(db, max_attempts=2)
        assert await relay.publish_pending() == 1
        assert await relay.publish_pending() == 0  # the first is parked now; the second still waits behind it
        assert await relay.publish_pending() == 1  # only the parking's entry in the operations log
        row_first, row_second = await stored(db, first, second)
        assert row_first.parked_at and row_second.published_at is None and row_second.parked_at is None
        async with db.session() as session:  # the operator fixes the cause and queues it again
            row = await session.get(OutboxMessage, first.event_id)
            row.subject, row.parked_at, row.attempts = SUBJECT, None, 0
        assert await relay.publish_pending() == 2
        received = [json.loads((await sub.next_msg(timeout=5)).data)["payload"]["detail"] for _ in range(3)]
        assert received == ["3", "1", "2"], "p1's events arrive in their order"
        await nc.close()

    async def test_a_broker_outage_does_not_count_against_the_events(self, db: Database) -> None:
        event = audit_event(5)
        async with db.session() as session:
            await outbox.add(session, event, subject=SUBJECT)
        relay = await relay_for(db, max_attempts=1)
        await relay._js._nc.close()  # type: ignore[union-attr]
        assert await relay.publish_pending() == 0
        [row] = await stored(db, event)
        assert row.attempts == 0 and row.parked_at is None and row.last_error


@pytest.mark.req("R28", partial=True)
class TestTheRelayAsAProcessOfItsOwn:
    """`python -m tbms_core.relay_process <service>` publishes the service's outbox beside processes that do not."""

    async def test_it_publishes_in_order_serves_its_metrics_and_ends_on_sigterm(self, db: Database) -> None:
        nc = await nats.connect(NATS_URL)
        sub = await nc.jetstream().subscribe(SUBJECT, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW)
        events = [audit_event(n, aggregate="p1") for n in range(3)]
        async with db.session() as session:
            for event in events:
                await outbox.add(session, event, subject=SUBJECT)
        port = free_port()
        env = {
            **os.environ,
            "TBMS_RELAYTEST_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
            "TBMS_RELAYTEST_NATS_URL": NATS_URL,
            "TBMS_RELAYTEST_OUTBOX_POLL_SECONDS": "30",  # only a NOTIFY can bring the later event out in time
        }
        argv = [sys.executable, "-m", "tbms_core.relay_process", "relaytest", "--metrics-port", str(port)]
        process = await asyncio.to_thread(
            subprocess.Popen, argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        try:
            received = [json.loads((await sub.next_msg(timeout=20)).data)["payload"]["detail"] for _ in events]
            assert received == ["0", "1", "2"]
            later = audit_event(3, aggregate="p1")
            async with db.session() as session:
                await outbox.add(session, later, subject=SUBJECT)
            assert json.loads((await sub.next_msg(timeout=10)).data)["payload"]["detail"] == "3"
            async with httpx.AsyncClient() as client:
                metrics = (await client.get(f"http://127.0.0.1:{port}/metrics", timeout=5)).text
            assert 'tbms_outbox_pending{service="relaytest"} 0.0' in metrics
            process.send_signal(signal.SIGTERM)
            assert await asyncio.to_thread(process.wait, 15) == 0
        finally:
            if process.poll() is None:
                process.kill()
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            await nc.close()
        assert all(row.published_at for row in await stored(db, *events, later)), output[-2000:]
