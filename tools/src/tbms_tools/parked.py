"""`tbms parked list|replay`: events set aside so that nothing is lost, and bringing them back once fixed.

Two places hold them:
- the PARKED stream: events a consumer could not apply after its retries, each with the consumer, the
  original subject, the deliveries and the error in its headers and the original payload unchanged;
- a service's outbox: rows its relay could not publish after its attempts (`parked_at` set).

A replay republishes a parked event to its original subject, where every consumer of it sees it again;
they are idempotent (inbox), so only the one that had not applied it does so. A parked outbox row is put
back in the queue (`parked_at` and `attempts` cleared), and the relay publishes it with the rows it held back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from tbms_core import parking
from tbms_core.events import PARKED_STREAM
from tbms_core.outbox import NOTIFY_CHANNEL

from tbms_tools import config

NATS_URL = f"nats://{config.HOST}:{config.NATS_PORT}"
OUTBOX_SERVICES = tuple(name for name in config.SERVICES if name != "gateway")  # the gateway stores no events


@dataclass(frozen=True)
class ParkedEvent:
    """One event in the PARKED stream."""

    seq: int
    consumer: str
    subject: str
    event_id: str
    deliveries: str
    error: str
    parked_at: datetime | None
    data: bytes

    def line(self) -> str:
        """One line of `tbms parked list`."""
        when = self.parked_at.isoformat(timespec="seconds") if self.parked_at else "?"
        event = self.event_id or "(unreadable)"
        return f"{self.seq}\t{when}\t{self.consumer}\t{self.subject}\t{event}\t{self.deliveries}\t{self.error}"


@dataclass(frozen=True)
class ParkedRow:
    """One outbox row a service's relay parked."""

    id: str
    subject: str
    aggregate_id: str | None
    attempts: int
    error: str
    parked_at: datetime

    def line(self) -> str:
        """One line of `tbms parked list --outbox`."""
        when = self.parked_at.isoformat(timespec="seconds")
        return f"{when}\t{self.subject}\t{self.id}\taggregate {self.aggregate_id}\t{self.attempts}\t{self.error}"


async def parked_events(
    js: JetStreamContext, *, consumer: str | None = None, event_id: str | None = None
) -> list[ParkedEvent]:
    """The parked events, oldest first, of one consumer or all, or the ones of one event."""
    subject = parking.parked_subject(consumer) if consumer else "tbms.parked.>"
    found: list[ParkedEvent] = []
    seq = 1
    while True:
        try:
            msg = await js.get_msg(PARKED_STREAM, seq, subject=subject, next=True)
        except NotFoundError:
            return found
        headers = msg.headers or {}
        event = ParkedEvent(
            seq=msg.seq or seq,
            consumer=headers.get(parking.CONSUMER, ""),
            subject=headers.get(parking.SUBJECT, ""),
            event_id=headers.get(parking.EVENT_ID, ""),
            deliveries=headers.get(parking.DELIVERIES, ""),
            error=parking.error_text(headers.get(parking.ERROR, "")),
            parked_at=msg.time,
            data=msg.data or b"",
        )
        if event_id is None or event.event_id == event_id:
            found.append(event)
        seq = event.seq + 1


async def replay_events(
    js: JetStreamContext, *, consumer: str | None = None, event_id: str | None = None
) -> list[ParkedEvent]:
    """Republishes parked events to their original subjects, then removes them from the PARKED stream."""
    replayed = []
    for event in await parked_events(js, consumer=consumer, event_id=event_id):
        if not event.subject:
            continue  # not written by a consumer: nothing says where it belongs
        # Not the event id: JetStream would drop it as a duplicate if it was first published minutes ago.
        headers = {"Nats-Msg-Id": f"replay-{PARKED_STREAM}-{event.seq}", "content-type": "application/json"}
        await js.publish(event.subject, event.data, headers=headers, timeout=10)
        await js.delete_msg(PARKED_STREAM, event.seq)
        replayed.append(event)
    return replayed


async def parked_rows(dsn: str) -> list[ParkedRow]:
    """The outbox rows a service's relay parked, oldest first."""
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await conn.fetch(
            "SELECT id, subject, payload->>'aggregate_id' AS aggregate_id, attempts, last_error, parked_at "
            "FROM outbox WHERE parked_at IS NOT NULL AND published_at IS NULL ORDER BY created_at"
        )
    finally:
        await conn.close()
    return [
        ParkedRow(str(r["id"]), r["subject"], r["aggregate_id"], r["attempts"], r["last_error"] or "", r["parked_at"])
        for r in rows
    ]


async def requeue_rows(dsn: str, *, event_id: str | None = None) -> int:
    """Puts parked outbox rows back in the relay's queue and wakes the relay; returns how many."""
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        async with conn.transaction():
            status = await conn.execute(
                "UPDATE outbox SET parked_at = NULL, attempts = 0 "
                "WHERE parked_at IS NOT NULL AND published_at IS NULL AND ($1::uuid IS NULL OR id = $1::uuid)",
                event_id,
            )
            await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
    finally:
        await conn.close()
    return int(status.split()[-1])


def service_dsn(service: str) -> str:
    """The asyncpg address of a service's database in the local stack (its settings' environment)."""
    url = config.service_env(service)[f"TBMS_{service.upper()}_DATABASE_URL"]
    return url.replace("postgresql+asyncpg://", "postgresql://")


def list_parked(
    *, outbox: str | None = None, consumer: str | None = None, report: Callable[[str], None] = print
) -> int:
    """Prints the parked events (or a service's parked outbox rows); returns how many."""
    if outbox:
        rows = asyncio.run(parked_rows(service_dsn(outbox)))
        for row in rows:
            report(row.line())
        report(f"[parked] {len(rows)} outbox events of {outbox} parked")
        return len(rows)
    events = asyncio.run(_with_js(lambda js: parked_events(js, consumer=consumer)))
    for event in events:
        report(event.line())
    report(f"[parked] {len(events)} events parked")
    return len(events)


def replay(
    *,
    outbox: str | None = None,
    consumer: str | None = None,
    event_id: str | None = None,
    report: Callable[[str], None] = print,
) -> int:
    """Replays parked events (or re-queues a service's parked outbox rows); returns how many."""
    if outbox:
        count = asyncio.run(requeue_rows(service_dsn(outbox), event_id=event_id))
        report(f"[parked] {count} outbox events of {outbox} queued again")
        return count
    events = asyncio.run(_with_js(lambda js: replay_events(js, consumer=consumer, event_id=event_id)))
    for event in events:
        report(f"[parked] replayed {event.event_id or '(unreadable)'} to {event.subject} (parked by {event.consumer})")
    report(f"[parked] {len(events)} events replayed")
    return len(events)


async def _with_js(work):  # type: ignore[no-untyped-def]
    nc = await nats.connect(NATS_URL, connect_timeout=5, max_reconnect_attempts=1)
    try:
        return await work(nc.jetstream(timeout=10))
    finally:
        await nc.close()
