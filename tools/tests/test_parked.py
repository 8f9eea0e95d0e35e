"""`tbms parked list|replay`: a parked event is shown with its error and, once the cause is fixed, applied once;
a parked outbox event is queued again. Against real NATS and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core import outbox
from tbms_core.db import Base, Database
from tbms_core.events import Envelope
from tbms_core.outbox import OutboxMessage
from tbms_testing import wait_for
from tbms_testing.consumers import event, running_consumer
from tbms_testing.services import drop_database, recreate_database
from tbms_tools import cli, parked


class Broken:
    """A handler with a bug until `fixed`."""

    def __init__(self) -> None:
        self.fixed, self.applied = False, []

    async def __call__(self, session: AsyncSession, envelope: Envelope) -> None:
        if not self.fixed:
            raise KeyError("district")
        self.applied.append(envelope.event_id)


@pytest.mark.req("N18", partial=True)
class TestReplayParkedEvents:
    """Events a consumer gave up on come back with `tbms parked replay`."""

    async def test_a_parked_event_is_listed_and_after_the_fix_replayed_and_applied_once(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        handler = Broken()
        async with running_consumer(handler, consumer_max_deliveries=2, consumer_retry_delays=(0.1,)) as consumer:
            sent = await consumer.publish(event("broken"))
            await wait_for(consumer.parked, timeout=15)
            assert await asyncio.to_thread(cli.main, ["parked", "list", "--consumer", consumer.durable]) == 0
            listed = capsys.readouterr().out
            assert str(sent.event_id) in listed and "KeyError('district')" in listed and "1 events parked" in listed

            handler.fixed = True
            argv = ["parked", "replay", "--consumer", consumer.durable, "--event-id", str(sent.event_id)]
            assert await asyncio.to_thread(cli.main, argv) == 0
            assert "1 events replayed" in capsys.readouterr().out
            await wait_for(lambda: _true(handler.applied), timeout=10)
            assert await consumer.parked() == [], "a replayed event leaves the PARKED stream"

            assert await asyncio.to_thread(cli.main, ["parked", "replay", "--consumer", consumer.durable]) == 0
            assert "0 events replayed" in capsys.readouterr().out
            await asyncio.sleep(0.5)
            assert handler.applied == [sent.event_id] and await consumer.applied() == 1

    async def test_a_replay_of_one_event_leaves_the_others_parked(self) -> None:
        handler = Broken()
        async with running_consumer(handler, consumer_max_deliveries=1) as consumer:
            first, second = await consumer.publish(event("a")), await consumer.publish(event("b"))
            await wait_for(lambda: _at_least(consumer, 2), timeout=15)
            handler.fixed = True
            replayed = await _replay(consumer, str(first.event_id))
            assert [e.event_id for e in replayed] == [str(first.event_id)]
            await wait_for(lambda: _true(handler.applied), timeout=10)
            [left] = await consumer.parked()
            assert left.headers["Tbms-Parked-Event-Id"] == str(second.event_id)


@pytest.fixture
async def outbox_db() -> AsyncIterator[tuple[Database, str]]:
    """A scratch database holding only an outbox table, and its asyncpg address."""
    name = f"tbms_parked_t{os.getpid()}"
    await recreate_database(name)
    database = Database(f"postgresql+asyncpg://tbms@127.0.0.1:55432/{name}")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[OutboxMessage.__table__])
    yield database, f"postgresql://tbms@127.0.0.1:55432/{name}"
    await database.dispose()
    await drop_database(name)


@pytest.mark.req("N18", partial=True)
class TestRequeueParkedOutboxEvents:
    """`tbms parked replay --outbox SERVICE` puts a service's parked outbox events back in its relay's queue."""

    async def test_a_parked_outbox_event_is_listed_and_queued_again(self, outbox_db: tuple[Database, str]) -> None:
        db, dsn = outbox_db
        stuck = Envelope(type="tbms.reports.kerneltest.thing.happened.v1", aggregate_id="p1", payload={})
        async with db.session() as session:
            await outbox.add(session, stuck)
            row = await session.get(OutboxMessage, stuck.event_id)
            row.attempts, row.last_error, row.parked_at = 10, "NoStreamResponseError()", row.created_at
        [listed] = await parked.parked_rows(dsn)
        assert listed.id == str(stuck.event_id) and listed.aggregate_id == "p1" and "NoStream" in listed.error
        assert await parked.requeue_rows(dsn) == 1
        async with db.session() as session:
            row = await session.get(OutboxMessage, stuck.event_id)
            assert row.parked_at is None and row.attempts == 0 and row.published_at is None
        assert await parked.parked_rows(dsn) == []


async def _replay(consumer, event_id: str):  # type: ignore[no-untyped-def]
    return await parked.replay_events(consumer.js, consumer=consumer.durable, event_id=event_id)


async def _at_least(consumer, count: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await consumer.parked()) >= count


async def _true(value: object) -> bool:
    return bool(value)
