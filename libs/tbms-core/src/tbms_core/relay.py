"""Outbox relay: publishes stored events to JetStream with their id as `Nats-Msg-Id`, in order, never losing one."""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import suppress

import asyncpg
import nats
from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import BadRequestError
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from prometheus_client import Gauge
from sqlalchemy import func, select

from tbms_core.db import Database, utcnow
from tbms_core.events import DUPLICATE_WINDOW_SECONDS, RETENTION_SECONDS, STREAMS
from tbms_core.outbox import NOTIFY_CHANNEL, OutboxMessage

log = logging.getLogger(__name__)
PENDING = Gauge("tbms_outbox_pending", "Events stored but not yet published", ["service"])
OLDEST = Gauge("tbms_outbox_oldest_age_seconds", "Age of the oldest unpublished event", ["service"])


async def ensure_streams(js: JetStreamContext) -> None:
    """Creates the JetStream streams of every producer (idempotent)."""
    for name, subjects in STREAMS.items():
        config = StreamConfig(
            name=name,
            subjects=subjects,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            max_age=RETENTION_SECONDS,
        )
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)


def _raise_if_cancel_was_swallowed() -> None:
    """Ends the task if a cancellation was requested but caught somewhere below (a driver's cleanup)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class OutboxRelay:
    """Moves events from a service's outbox table to NATS, waking on NOTIFY or every few seconds."""

    def __init__(self, service: str, db: Database, nats_url: str, *, poll_seconds: float = 2.0) -> None:
        self.service, self.db, self.nats_url = service, db, nats_url
        self.poll_seconds, self.batch = poll_seconds, 200
        self._wake = asyncio.Event()
        self._stopping = False
        self._tracer = trace.get_tracer("tbms.outbox")
        self._js: JetStreamContext | None = None

    def stop(self) -> None:
        """Asks `run` to return after the batch in hand (a cancellation alone may be swallowed by a driver)."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Relays until stopped or cancelled, retrying with backoff when NATS or the database fails."""
        failures = 0
        while not self._stopping:
            try:
                nc = await nats.connect(self.nats_url, max_reconnect_attempts=-1)
                self._js = nc.jetstream()
                await ensure_streams(self._js)
                listener = await self._listen()
                try:
                    failures = 0
                    await self._loop()
                finally:
                    with suppress(Exception):
                        await listener.close()
                    with suppress(Exception):
                        await nc.close()
            except asyncio.CancelledError:
                raise
            except Exception:
                failures += 1
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(min(2**failures, 30))

    async def _listen(self) -> asyncpg.Connection:
        url = self.db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(url)
        await conn.add_listener(NOTIFY_CHANNEL, lambda *_: self._wake.set())
        return conn

    async def _loop(self) -> None:
        while not self._stopping:
            _raise_if_cancel_was_swallowed()
            self._wake.clear()
            published = await self.publish_pending()
            if published >= self.batch:
                continue
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)

    async def publish_pending(self) -> int:
        """Publishes the oldest unpublished events; stops at the first failure to keep order."""
        assert self._js is not None
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.published_at.is_(None))
                    .order_by(OutboxMessage.created_at)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            done = 0
            for row in rows:
                try:
                    await self._publish(row)
                except Exception as exc:
                    row.attempts += 1
                    row.last_error = repr(exc)[:1000]
                    log.warning("publishing %s failed: %r", row.id, exc)
                    break
                row.published_at = utcnow()
                done += 1
            await self._measure(session)
        return done

    async def _publish(self, row: OutboxMessage) -> None:
        context = propagate.extract(row.headers or {})
        with self._tracer.start_as_current_span(
            f"{row.subject} publish", context=context, kind=SpanKind.PRODUCER
        ) as span:
            span.set_attribute("messaging.system", "nats")
            span.set_attribute("messaging.destination.name", row.subject)
            span.set_attribute("messaging.message.id", str(row.id))
            headers = {"Nats-Msg-Id": str(row.id), "content-type": "application/json"}
            propagate.inject(headers)
            data = json.dumps(row.payload, ensure_ascii=False).encode()
            await self._js.publish(row.subject, data, headers=headers, timeout=5)  # type: ignore[union-attr]

    async def _measure(self, session) -> None:
        pending, oldest = (
            await session.execute(
                select(func.count(), func.min(OutboxMessage.created_at)).where(OutboxMessage.published_at.is_(None))
            )
        ).one()
        PENDING.labels(self.service).set(pending)
        OLDEST.labels(self.service).set((utcnow() - oldest).total_seconds() if oldest else 0)
