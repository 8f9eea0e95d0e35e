"""Runs one kernel consumer (`tbms_core.app.subscribe`) against real NATS and a scratch database, for tests of
retries, parking and replay without a whole service."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from functools import cache
from typing import Any

import nats
from faststream.nats import NatsBroker
from nats.js import JetStreamContext
from opentelemetry.sdk.trace import TracerProvider
from tbms_core.app import Consumer, Handler, ServiceKit, subscribe
from tbms_core.db import Base, Database
from tbms_core.events import PARKED_STREAM, Envelope, stream_of
from tbms_core.nats_access import servers
from tbms_core.outbox import InboxMessage, OutboxMessage
from tbms_core.parking import parked_subject
from tbms_core.relay import ensure_streams
from tbms_core.settings import ServiceSettings

from tbms_testing.services import drop_database, recreate_database
from tbms_testing.stack import ensure_infrastructure

NATS_URL = "nats://127.0.0.1:54222"
PG_URL = "postgresql+asyncpg://tbms@127.0.0.1:55432"
# A subject in a stream no service subscribes to, so the running dev stack never sees the test's events.
SUBJECT = "tbms.reports.kerneltest.thing.happened.v1"


@dataclass
class RunningConsumer:
    """A subscribed consumer: its durable name, its database, and JetStream to publish and inspect with."""

    durable: str
    db: Database
    js: JetStreamContext

    async def publish(self, envelope: Envelope | None = None, *, raw: bytes | None = None) -> Envelope | None:
        """Publishes an envelope (or raw bytes) on the test subject, as the outbox relay would."""
        data = raw if raw is not None else json.dumps(envelope.model_dump(mode="json")).encode()  # type: ignore[union-attr]
        msg_id = str(envelope.event_id) if envelope else uuid.uuid4().hex
        headers = {"Nats-Msg-Id": msg_id, "content-type": "application/json"}
        await self.js.publish(SUBJECT, data, headers=headers, timeout=5)
        return envelope

    async def parked(self) -> list[Any]:
        """The messages this consumer parked, oldest first."""
        found, seq = [], 1
        while True:
            try:
                msg = await self.js.get_msg(PARKED_STREAM, seq, subject=parked_subject(self.durable), next=True)
            except nats.js.errors.NotFoundError:
                return found
            found.append(msg)
            seq = (msg.seq or seq) + 1

    async def outbox(self) -> list[Any]:
        """What this consumer's service wrote to its outbox (the operations-log entries of its parkings): rows
        with `subject` and `payload`."""
        table = OutboxMessage.__table__
        async with self.db.session() as session:
            return list((await session.execute(table.select().order_by(table.c.created_at))).all())

    async def applied(self) -> int:
        """How many events this consumer's inbox holds."""
        async with self.db.session() as session:
            return len((await session.scalars(InboxMessage.__table__.select())).all())


def event(detail: str = "") -> Envelope:
    """A synthetic event on the test subject."""
    return Envelope(type=SUBJECT, aggregate_id=uuid.uuid4().hex, payload={"detail": detail})


@cache
def _infrastructure() -> None:
    ensure_infrastructure()  # once per test process: each check takes seconds


@asynccontextmanager
async def running_consumer(
    handle: Handler, *, nats_url: str = NATS_URL, **settings: Any
) -> AsyncIterator[RunningConsumer]:
    """Subscribes `handle` as a service would, with the given ServiceSettings (e.g. short retry delays); `nats_url`
    may name a cluster's nodes separated by commas."""
    _infrastructure()
    name = f"tbms_consumer_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await recreate_database(name)
    db = Database(f"{PG_URL}/{name}")
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[InboxMessage.__table__, OutboxMessage.__table__])
    kit_settings = ServiceSettings(
        database_url=f"{PG_URL}/{name}", durable_suffix=f"-t{uuid.uuid4().hex[:8]}", **settings
    )
    kit = ServiceKit("kerneltest", kit_settings, db, NatsBroker(servers(nats_url)), TracerProvider())
    subscribe(kit, Consumer("on_thing_happened", SUBJECT, handle))
    durable = f"kerneltest-on_thing_happened{kit_settings.durable_suffix}"
    nc = await nats.connect(servers(nats_url))
    js = nc.jetstream(timeout=10)
    await ensure_streams(js)
    await kit.broker.start()
    try:
        yield RunningConsumer(durable, db, js)
    finally:
        await kit.broker.stop()
        with suppress(Exception):
            await js.delete_consumer(stream_of(SUBJECT), durable)
        with suppress(Exception):
            await js.purge_stream(PARKED_STREAM, subject=parked_subject(durable))
        await nc.close()
        await db.dispose()
        await drop_database(name)
