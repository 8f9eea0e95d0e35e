"""Two processes of one consumer service on one database, as `docker compose` runs replicas: they share each durable
consumer, every event takes effect exactly once (a redelivered or republished event is a duplicate, applied by
nobody), and an instance killed with SIGKILL in the middle of a stream loses no event: what it had taken but not
acknowledged is delivered to the other after the ack wait (R28, N07)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from tbms_testing import services as scratch
from tbms_testing import wait_for
from tbms_testing.events import patient_event, publish

DATABASE = f"tbms_contacts_replicas_t{os.getpid()}"
DSN = f"postgresql://tbms@127.0.0.1:55432/{DATABASE}"
SUFFIX = f"-replicas{os.getpid()}"  # durable consumers of their own, shared by the two processes
DURABLE = f"contacts-on_patient_registered{SUFFIX}"
ACK_WAIT_SECONDS = 3  # what a killed process had taken is delivered again this soon
COUNTED = re.compile(rf'^tbms_events_consumed_total\{{consumer="{re.escape(DURABLE)}",outcome="(\w+)"\}} ([0-9.e+]+)$')


class Instance(scratch.Replica):
    """One uvicorn process of contacts."""

    async def consumed(self) -> dict[str, int]:
        """How many events of the registration consumer this process applied, found duplicate, parked …"""
        text = await self.metrics()
        return {m.group(1): int(float(m.group(2))) for line in text.splitlines() if (m := COUNTED.match(line))}


@asynccontextmanager
async def contacts_replicas(count: int) -> AsyncIterator[list[Instance]]:
    """`count` processes of this code's contacts on one freshly migrated database, each ready (consumers started)."""
    env = {
        "TBMS_CONTACTS_DURABLE_SUFFIX": SUFFIX,
        "TBMS_CONTACTS_CONSUMER_ACK_WAIT_SECONDS": str(ACK_WAIT_SECONDS),
        "TBMS_CONTACTS_DEADLINE_SWEEP_SECONDS": "0",
    }
    async with scratch.service_replicas("contacts", DATABASE, count, env) as replicas:
        yield [Instance(replica.process, replica.port) for replica in replicas]


async def count(sql: str, *args: object) -> int:
    connection = await asyncpg.connect(DSN)
    try:
        return int(await connection.fetchval(sql, *args))
    finally:
        await connection.close()


async def claimed(event_ids: list[uuid.UUID] | None = None) -> int:
    """Events of the registration consumer claimed in the inbox (one row per event, whoever applied it): those of
    `event_ids`, or every one (other tests publish registrations on the same broker meanwhile)."""
    if event_ids is None:
        return await count("SELECT count(*) FROM inbox WHERE consumer = $1", DURABLE)
    sql = "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])"
    return await count(sql, DURABLE, event_ids)


def registrations(n: int) -> list:
    return [patient_event(uuid.uuid4(), 1, f"試験 {i:03d}", name_kana="シケン レプリカ") for i in range(n)]


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N07", partial=True)
class TestTwoProcesses:
    async def test_two_processes_share_the_events_and_each_takes_effect_once(self) -> None:
        events = registrations(60)
        ours = [envelope.event_id for envelope in events]
        async with contacts_replicas(2) as instances:
            await publish(*events)
            # the same events again under other message ids: JetStream's de-duplication does not catch them, the
            # inbox must (a relay that published twice, a replay of parked events)
            for envelope in events:
                await publish(envelope, msg_id=f"{envelope.event_id}-again")

            async def all_seen() -> bool:
                duplicates = sum([(await instance.consumed()).get("duplicate", 0) for instance in instances])
                return await claimed(ours) == len(events) and duplicates >= len(events)

            await wait_for(all_seen, timeout=90, interval=0.5)

            async def applied_as_claimed() -> list[dict[str, int]] | None:
                """The processes' counts once they applied as many events as the inbox holds claims (ours and any
                registration another test published meanwhile on the shared broker); an event applied twice would
                keep them apart for good."""
                seen = [await instance.consumed() for instance in instances]
                return seen if sum(s.get("applied", 0) for s in seen) == await claimed() else None

            seen = await wait_for(applied_as_claimed, timeout=30, interval=0.5)
        applied = [s.get("applied", 0) for s in seen]
        # every copy was recognised; a few more when a busy process outlived the short ack wait and JetStream
        # delivered an event again: at-least-once delivery, exactly-once effect
        assert sum(s.get("duplicate", 0) for s in seen) >= len(events)
        assert all(n > 0 for n in applied), f"both processes took part: {seen}"
        assert not any(s.get("parked") or s.get("retried") for s in seen)

    async def test_an_instance_killed_mid_stream_loses_no_event(self) -> None:
        events = registrations(400)
        patient_ids = [uuid.UUID(envelope.payload["patient"]["id"]) for envelope in events]
        ours = [envelope.event_id for envelope in events]
        async with contacts_replicas(2) as (victim, survivor):
            # still publishing when the kill comes: on an idle machine the two processes would otherwise finish a
            # short stream before the test could kill one of them
            publishing = asyncio.create_task(publish(*events))
            await wait_for(lambda: _at_least(ours, 30), timeout=60, interval=0.05)
            victim.process.send_signal(signal.SIGKILL)
            await victim.process.wait()
            in_flight = len(events) - await claimed(ours)
            await publishing
            await wait_for(lambda: _at_least(ours, len(events)), timeout=60 + 10 * ACK_WAIT_SECONDS, interval=0.5)
            survived = await survivor.consumed()
            stored = await count("SELECT count(*) FROM index_cases WHERE patient_id = ANY($1::uuid[])", patient_ids)
            claims = await claimed(ours)
        assert in_flight > 0, "the kill came after the stream was done: nothing was tested"
        assert stored == claims == len(events), "every registration reached the read model, once"
        assert not survived.get("parked"), f"nothing parked: {survived}"


async def _at_least(event_ids: list[uuid.UUID], n: int) -> bool:
    return await claimed(event_ids) >= n
