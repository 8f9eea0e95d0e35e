"""A three-node JetStream cluster with three replicas per stream (R28): the streams are created replicated, and
under a steady flow of events relayed from an outbox (`OutboxRelay`) and consumed into an inbox (`subscribe`), a
SIGKILL of the node leading the stream loses no event and applies each once; the node comes back and catches up.

Scratch nodes on their own ports and folders beside the local stack (whose PostgreSQL holds the scratch database).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from types import SimpleNamespace

import nats
import pytest
from nats.js.errors import Error as JetStreamError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core import nats_access, outbox
from tbms_core.app import prepare_streams
from tbms_core.events import STREAMS, Envelope, stream_of
from tbms_core.outbox import InboxMessage, OutboxMessage
from tbms_core.relay import OutboxRelay, ensure_streams
from tbms_core.settings import ServiceSettings
from tbms_testing.consumers import SUBJECT, running_consumer
from tbms_tools.scratch_nats import ScratchCluster

EVENTS = 150
RATE = 15.0  # events committed a second
STREAM = stream_of(SUBJECT)


@contextmanager
def cluster(root: Path, size: int = 3) -> Iterator[ScratchCluster]:
    nodes = ScratchCluster(root, size)
    try:
        nodes.start()
        yield nodes
    finally:
        nodes.stop()


@asynccontextmanager
async def jetstream(urls: str) -> AsyncIterator[nats.js.JetStreamContext]:
    nc = await nats.connect(urls.split(","), max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    try:
        yield nc.jetstream(timeout=5)
    finally:
        await nc.close()


async def replicated_streams(urls: str) -> None:
    """Creates every stream with three replicas once the cluster has elected its meta leader."""
    deadline = time.monotonic() + 60
    async with jetstream(urls) as js:
        while True:
            try:
                await ensure_streams(js, replicas=3)
                return
            except (JetStreamError, nats.errors.Error, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)


async def applied(session_maker, durable: str) -> int:  # type: ignore[no-untyped-def]
    async with session_maker() as session:
        return await session.scalar(
            select(func.count()).select_from(InboxMessage).where(InboxMessage.consumer == durable)
        )


@pytest.mark.req("R28", partial=True)
async def test_a_killed_nats_node_loses_no_event_and_applies_none_twice(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        urls = nodes.urls()
        await replicated_streams(urls)
        async with jetstream(urls) as js:
            info = await js.stream_info(STREAM)
            assert info.config.num_replicas == 3
            assert info.cluster is not None and len(info.cluster.replicas or []) == 2, "a leader and two replicas"

        handled: dict[str, float] = {}  # event → when it was (last) handled

        async def handle(session: AsyncSession, envelope: Envelope) -> None:
            handled[envelope.payload["n"]] = time.monotonic()

        async with running_consumer(handle, nats_url=urls, consumer_retry_delays=(0.2, 0.5)) as consumer:
            relay = OutboxRelay("kerneltest", consumer.db, urls, poll_seconds=0.5, replicas=3)
            relaying = asyncio.create_task(relay.run())
            sent: dict[str, float] = {}
            killed, recovered = None, None
            try:
                for n in range(EVENTS):
                    async with consumer.db.session() as session:
                        await outbox.add(
                            session, Envelope(type=SUBJECT, aggregate_id=uuid.uuid4().hex, payload={"n": str(n)})
                        )
                        await session.commit()
                    sent[str(n)] = time.monotonic()
                    if n == EVENTS // 3:
                        async with jetstream(urls) as js:
                            leader = (await js.stream_info(STREAM)).cluster.leader  # type: ignore[union-attr]
                        victim = nodes.named(leader)
                        victim.kill()
                        killed = (time.monotonic(), n)
                    await asyncio.sleep(1 / RATE)

                deadline = time.monotonic() + 90
                while await applied(consumer.db.session, consumer.durable) < EVENTS:
                    assert time.monotonic() < deadline, (
                        f"{await applied(consumer.db.session, consumer.durable)} of {EVENTS} applied"
                    )
                    await asyncio.sleep(0.2)
                recovered = time.monotonic()
            finally:
                relay.stop()
                relaying.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await relaying

            assert await applied(consumer.db.session, consumer.durable) == EVENTS, "each event applied once"
            assert set(handled) == set(sent), "no event lost"
            async with consumer.db.session() as session:
                unpublished = await session.scalar(
                    select(func.count()).select_from(OutboxMessage).where(OutboxMessage.published_at.is_(None))
                )
            assert unpublished == 0
            assert await consumer.parked() == []
            assert killed is not None and recovered is not None
            delays = sorted(handled[n] - sent[n] for n in sent)
            print(
                f"\n[nats cluster] {EVENTS} events at {RATE:.0f}/s; the stream's leader {victim.node.name} killed after"
                f" event {killed[1]}; commit → applied p50 {delays[len(delays) // 2]:.2f} s, max {delays[-1]:.1f} s;"
                f" the last applied {recovered - killed[0]:.1f} s after the kill"
            )

            victim.start()  # the node comes back and its replica catches up
            async with jetstream(urls) as js:
                deadline = time.monotonic() + 60
                while True:
                    replicas = (await js.stream_info(STREAM)).cluster.replicas or []  # type: ignore[union-attr]
                    if len(replicas) == 2 and all(peer.current for peer in replicas):
                        break
                    assert time.monotonic() < deadline, f"the restarted node did not catch up: {replicas}"
                    await asyncio.sleep(0.5)


@pytest.mark.req("R28", partial=True)
async def test_an_operators_stream_settings_are_kept_and_missing_subjects_added(tmp_path: Path) -> None:
    with cluster(tmp_path) as nodes:
        urls = nodes.urls()
        await replicated_streams(urls)
        async with jetstream(urls) as js:
            tuned = (await js.stream_info("PATIENTS")).config
            sixty_days = 60 * 24 * 3600.0
            other = ["tbms.patients-archive.>"]  # the operator's subject instead of the service's
            await js.update_stream(tuned.evolve(max_age=sixty_days, max_msgs=1_000_000, subjects=other))
            await js.update_stream((await js.stream_info("CONTACTS")).config.evolve(max_age=sixty_days))

            await ensure_streams(js, service="patients", replicas=1)  # a service starting with its defaults

            patients = (await js.stream_info("PATIENTS")).config
            assert (patients.max_age, patients.max_msgs, patients.num_replicas) == (sixty_days, 1_000_000, 3)
            assert patients.subjects == [*other, *STREAMS["PATIENTS"]], "the operator's kept, the service's added"
            contacts = (await js.stream_info("CONTACTS")).config
            assert contacts.max_age == sixty_days, "another service's stream untouched"


@pytest.mark.req("R28", partial=True)
async def test_a_service_started_before_jetstream_answers_waits_for_it_instead_of_ending(tmp_path: Path) -> None:
    """A service process that starts while the cluster is not up yet (or still electing its meta leader) keeps trying
    to create its streams and starts once JetStream answers: before, the first timeout ended the process."""
    nodes = ScratchCluster(tmp_path, 3)  # its ports are chosen now; nothing listens yet
    kit = SimpleNamespace(name="patients", settings=ServiceSettings(nats_url=nodes.urls(), nats_stream_replicas=3))
    waiting = asyncio.create_task(prepare_streams(kit, patience=90))  # type: ignore[arg-type]
    await asyncio.sleep(3)
    assert not waiting.done(), "the start gave up while nothing answered"
    try:
        await asyncio.to_thread(nodes.start)
        await asyncio.wait_for(waiting, timeout=90)
        async with jetstream(nodes.urls()) as js:
            info = await js.stream_info(nats_access.own_stream("patients"))
        assert info.config.num_replicas == 3
    finally:
        waiting.cancel()
        nodes.stop()
