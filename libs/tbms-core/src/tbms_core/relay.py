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
from nats.js.errors import BadRequestError, NoStreamResponseError
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from prometheus_client import Gauge
from sqlalchemy import func, or_, select
from tbms_contracts.audit import OperationsKind

from tbms_core import nats_access, operations_log
from tbms_core.db import Database, utcnow
from tbms_core.events import (
    DUPLICATE_WINDOW_SECONDS,
    PARKED_RETENTION_DAYS,
    PARKED_STREAM,
    PARKED_SUBJECTS,
    RETENTION_SECONDS,
    STREAMS,
    stream_of,
)
from tbms_core.outbox import NOTIFY_CHANNEL, OutboxMessage
from tbms_core.settings import ServiceSettings

log = logging.getLogger(__name__)
PENDING = Gauge("tbms_outbox_pending", "Events stored but not yet published", ["service"])
OLDEST = Gauge("tbms_outbox_oldest_age_seconds", "Age of the oldest unpublished event", ["service"])
PARKED = Gauge("tbms_outbox_parked", "Events set aside after failing to publish too often", ["service"])
# Failures of the connection, not of one event: every row would fail alike, so none is counted against.
_BROKER_DOWN = (
    TimeoutError,
    nats.errors.ConnectionClosedError,
    nats.errors.ConnectionDrainingError,
    nats.errors.ConnectionReconnectingError,
    nats.errors.NoServersError,
    nats.errors.OutboundBufferLimitError,
    nats.errors.StaleConnectionError,
)


async def ensure_streams(
    js: JetStreamContext,
    *,
    service: str | None = None,
    parked_retention_days: float | None = PARKED_RETENTION_DAYS,
    replicas: int = 1,
) -> None:
    """Creates the JetStream streams when missing (idempotent), with `replicas` copies each (3 on a cluster).

    A stream that exists keeps the settings it has, which an operator may have tuned (replicas, age, storage): its
    owner only adds subjects it lacks, and sets the parked stream's age when `parked_retention_days` is given. The
    streams a service consumes are only created when missing (their owner completes them); without `service`
    (tools, tests on the local stack), every stream is treated as owned.
    """
    configs = {
        name: StreamConfig(
            name=name,
            subjects=subjects,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            max_age=RETENTION_SECONDS,
            num_replicas=replicas,
        )
        for name, subjects in STREAMS.items()
    }
    days = parked_retention_days if parked_retention_days is not None else PARKED_RETENTION_DAYS
    configs[PARKED_STREAM] = StreamConfig(
        name=PARKED_STREAM, subjects=PARKED_SUBJECTS, max_age=days * 24 * 3600.0, num_replicas=replicas
    )
    if service is None or service not in nats_access.CONSUMES:
        owned = {*STREAMS, *([PARKED_STREAM] if parked_retention_days is not None else [])}
        wanted = list(configs)
    else:
        owned = {*nats_access.owned_streams(service), *([PARKED_STREAM] if parked_retention_days is not None else [])}
        wanted = list(nats_access.streams_of(service))
    for name in wanted:
        try:
            await js.add_stream(configs[name])
        except BadRequestError:  # it exists with other settings: its owner completes it, nobody overwrites it
            if name in owned:
                await _complete(js, configs[name])


async def _complete(js: JetStreamContext, wanted: StreamConfig) -> None:
    """Adds the subjects an existing stream lacks (and the parked stream's age), keeping every other setting."""
    current = (await js.stream_info(wanted.name)).config  # type: ignore[arg-type]
    missing = [subject for subject in wanted.subjects or [] if subject not in (current.subjects or [])]
    changes: dict[str, object] = {"subjects": [*(current.subjects or []), *missing]} if missing else {}
    if wanted.name == PARKED_STREAM and current.max_age != wanted.max_age:
        changes["max_age"] = wanted.max_age
    if changes:
        await js.update_stream(current.evolve(**changes))


def _has_stream(subject: str) -> bool:
    """True when one of the streams holds the subject."""
    try:
        stream_of(subject)
    except ValueError:
        return False
    return True


class OutboxRelay:
    """Moves events from a service's outbox table to NATS, waking on NOTIFY or every few seconds."""

    def __init__(
        self,
        service: str,
        db: Database,
        nats_url: str,
        *,
        poll_seconds: float = 2.0,
        max_attempts: int = 10,
        nats_ca_file: str = "",
        replicas: int = 1,
    ) -> None:
        self.service, self.db, self.nats_url, self.nats_ca_file = service, db, nats_url, nats_ca_file
        self.replicas = replicas  # of the streams it creates when missing (a cluster's)
        self.poll_seconds, self.batch, self.max_attempts = poll_seconds, 200, max_attempts
        self._wake = asyncio.Event()
        self._stopping = False
        self._tracer = trace.get_tracer("tbms.outbox")
        self._js: JetStreamContext | None = None

    @classmethod
    def of(cls, service: str, db: Database, settings: ServiceSettings) -> OutboxRelay:
        """The relay of a service as its `TBMS_<SERVICE>_*` settings configure it (in its processes or on its own)."""
        return cls(
            service,
            db,
            settings.nats_url,
            poll_seconds=settings.outbox_poll_seconds,
            max_attempts=settings.outbox_max_attempts,
            nats_ca_file=settings.nats_ca_file,
            replicas=settings.nats_stream_replicas,
        )

    def stop(self) -> None:
        """Asks `run` to return after the batch in hand (a cancellation alone may be swallowed by a driver)."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Relays until stopped or cancelled, retrying with backoff when NATS or the database fails."""
        failures = 0
        while not self._stopping:
            try:
                nc = await nats.connect(
                    nats_access.servers(self.nats_url),
                    max_reconnect_attempts=-1,
                    **nats_access.connect_options(self.service, self.nats_ca_file),
                )
                self._js = nc.jetstream()
                await ensure_streams(self._js, service=self.service, parked_retention_days=None, replicas=self.replicas)
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
            self._wake.clear()
            published = await self.publish_pending()
            if published >= self.batch:
                continue
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)

    async def publish_pending(self) -> int:
        """Publishes the oldest unpublished events, keeping each aggregate's order; parks what keeps failing.

        A row that fails holds back the later rows of its aggregate only, so one unpublishable event (too
        large, a subject no stream holds) cannot stop every other event of the service. After
        `max_attempts` failures it is parked (`parked_at`) and its aggregate stays held back until an
        operator re-queues it (`tbms parked replay --outbox`). A broker that is down fails every row alike:
        that stops the batch without counting against the rows.
        """
        assert self._js is not None
        async with self.db.session() as session:
            held = set(await self._parked_aggregates(session))
            query = (
                select(OutboxMessage)
                .where(OutboxMessage.published_at.is_(None), OutboxMessage.parked_at.is_(None))
                .order_by(OutboxMessage.created_at)
                .limit(self.batch)
                .with_for_update(skip_locked=True)
            )
            if held:  # their later rows would otherwise fill every batch while they wait
                aggregate = OutboxMessage.payload["aggregate_id"].astext
                query = query.where(or_(aggregate.is_(None), aggregate.not_in(held)))
            done = 0
            for row in (await session.scalars(query)).all():
                if row.aggregate_id is not None and row.aggregate_id in held:
                    continue
                try:
                    await self._publish(row)
                except _BROKER_DOWN as exc:
                    row.last_error = repr(exc)[:1000]
                    log.warning("publishing %s failed, NATS unavailable: %r", row.id, exc)
                    break
                except Exception as exc:
                    if isinstance(exc, NoStreamResponseError) and _has_stream(row.subject):
                        # its stream is electing a leader (a cluster node failed) or being recreated: not the row's
                        # fault, and every row of the stream would fail alike, so none is counted against
                        row.last_error = repr(exc)[:1000]
                        log.warning("publishing %s failed, its stream has no leader yet: %r", row.id, exc)
                        break
                    self._count_failure(row, exc)
                    held.add(row.aggregate_id or str(row.id))
                    if row.parked_at is not None:
                        await self._log_parked(session, row)
                    continue
                row.published_at = utcnow()
                done += 1
            await self._measure(session)
        return done

    def _count_failure(self, row: OutboxMessage, exc: Exception) -> None:
        row.attempts += 1
        row.last_error = repr(exc)[:1000]
        if row.attempts < self.max_attempts:
            log.warning("publishing %s failed (attempt %d of %d): %r", row.id, row.attempts, self.max_attempts, exc)
            return
        row.parked_at = utcnow()
        log.error(
            "outbox event %s (%s, aggregate %s) parked after %d failed attempts: %r; "
            "replay with `tbms parked replay --outbox %s`",
            row.id,
            row.subject,
            row.aggregate_id,
            row.attempts,
            exc,
            self.service,
        )

    async def _log_parked(self, session, row: OutboxMessage) -> None:
        """Records the parked row in the operations log (N18) in the same transaction as the parking; an entry of
        the log itself that cannot be published is not logged again (it would park its own entry)."""
        if row.subject == operations_log.subject(self.service):
            return
        details = {
            "subject": row.subject,
            "event_id": str(row.id),
            "attempts": str(row.attempts),
            "error": operations_log.error_type(row.last_error or ""),
        }
        event_id = operations_log.entry_id("outbox", self.service, row.id, row.parked_at.isoformat())  # type: ignore[union-attr]
        await operations_log.record(session, self.service, OperationsKind.OUTBOX_PARKED, details, event_id=event_id)

    async def _parked_aggregates(self, session) -> list[str]:
        rows = await session.execute(
            select(OutboxMessage.payload["aggregate_id"].astext)
            .where(OutboxMessage.parked_at.is_not(None), OutboxMessage.published_at.is_(None))
            .distinct()
        )
        return [aggregate for (aggregate,) in rows if aggregate is not None]

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
        waiting = OutboxMessage.parked_at.is_(None)
        pending, oldest, parked = (
            await session.execute(
                select(
                    func.count().filter(waiting),
                    func.min(OutboxMessage.created_at).filter(waiting),
                    func.count().filter(OutboxMessage.parked_at.is_not(None)),
                ).where(OutboxMessage.published_at.is_(None))
            )
        ).one()
        PENDING.labels(self.service).set(pending)
        OLDEST.labels(self.service).set((utcnow() - oldest).total_seconds() if oldest else 0)
        PARKED.labels(self.service).set(parked)
