"""The operations log (N18): parked events, component changes and planned stops kept once, three years, readable by
administrators; with real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from identity.operations_log.repository import OperationsLogRepository
from identity.operations_log.watch import (
    HealthWatcher,
    OperationsLogSweep,
    PlannedStop,
    record_maintenance,
    record_maintenance_mode,
)
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import OperationsKind, OperationsLogged
from tbms_core.db import Database
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.consumers import SUBJECT, event, running_consumer
from tbms_testing.events import publish as publish_like_relay

pytestmark = [pytest.mark.req("N18", partial=True)]


async def entries(client: httpx.AsyncClient, headers: dict[str, str], **query: str) -> list[dict]:
    """What an administrator reads on the operations log."""
    response = await client.get("/operations-log", params={"limit": "500", **query}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def of_event(client: httpx.AsyncClient, headers: dict[str, str], event_id: object) -> list[dict]:
    """The entries about one parked event."""
    found = await entries(client, headers, kind="message_parked")
    return [e for e in found if e["details"].get("event_id") == str(event_id)]


class TestParkedEvents:
    """A service that parks an event records it; identity keeps one entry however often it arrives."""

    async def test_a_parked_event_is_one_entry_also_when_its_record_is_delivered_again(
        self, identity: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        async def refuse(session: AsyncSession, envelope: Envelope) -> None:
            raise ValueError("synthetic failure")

        async with running_consumer(refuse, consumer_max_deliveries=1) as consumer:
            sent = await consumer.publish(event())
            [row] = await wait_for(consumer.outbox, timeout=15)
        entry = Envelope.model_validate(row.payload)
        await publish_like_relay(entry, subject=row.subject)
        [found] = await wait_for(lambda: of_event(identity, admin, sent.event_id), timeout=30)
        assert found["component"] == "kerneltest" and found["details"]["subject"] == SUBJECT
        assert found["details"]["error"] == "ValueError"
        # delivered again (past JetStream's duplicate window, or after a redelivery): still one entry
        await publish_like_relay(entry, subject=row.subject, msg_id=str(uuid.uuid4()))
        marker = Envelope.of(
            OperationsLogged(
                occurred_at=datetime.now(UTC),
                kind=OperationsKind.MESSAGE_PARKED,
                component="kerneltest",
                details={"event_id": "marker-" + uuid.uuid4().hex},
            ),
            aggregate_id="operations:kerneltest",
        )
        await publish_like_relay(marker, subject=row.subject)
        await wait_for(lambda: of_event(identity, admin, marker.payload["details"]["event_id"]), timeout=30)
        assert len(await of_event(identity, admin, sent.event_id)) == 1

    async def test_only_audit_readers_see_the_log(
        self, identity: httpx.AsyncClient, nurse: dict[str, str], admin: dict[str, str]
    ) -> None:
        assert (await identity.get("/operations-log", headers=nurse)).status_code == 403
        response = await identity.get("/operations-log", params={"kind": "nonsense"}, headers=admin)
        assert response.status_code == 422


@asynccontextmanager
async def health_endpoint() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """A component's health URL that answers 200 while the event is set and 503 otherwise."""
    healthy = asyncio.Event()
    healthy.set()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        status = b"200 OK" if healthy.is_set() else b"503 Service Unavailable"
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/health/ready", healthy
    finally:
        server.close()
        await server.wait_closed()


class TestHealthWatch:
    """Only changes of a component's health are logged, each once, also with two watchers."""

    async def test_down_and_up_are_each_logged_once(
        self, identity: httpx.AsyncClient, db: Database, admin: dict[str, str]
    ) -> None:
        name = f"test-component-{uuid.uuid4().hex[:6]}"
        async with health_endpoint() as (url, healthy):
            watchers = [HealthWatcher(db, {name: url}, timeout=2.0) for _ in range(2)]
            assert await watchers[0].check_once() == [], "a component first seen up is no change"
            healthy.clear()
            changes = await asyncio.gather(*(w.check_once() for w in watchers))
            assert sorted(changes) == [[], [(name, False)]], "two watchers at once log the change once"
            assert await watchers[0].check_once() == [], "still down: nothing new"
            healthy.set()
            assert await watchers[1].check_once() == [(name, True)]
            assert await watchers[0].check_once() == []
        found = [e for e in await entries(identity, admin) if e["component"] == name]
        assert [e["kind"] for e in found] == ["component_up", "component_down"]
        assert found[1]["details"] == {"url": url, "error": "HTTP 503"}

    async def test_a_component_that_does_not_answer_is_down(self, db: Database) -> None:
        name = f"test-component-{uuid.uuid4().hex[:6]}"
        async with health_endpoint() as (url, _):
            pass  # closed: nothing listens on the port any more
        assert await HealthWatcher(db, {name: url}, timeout=2.0).check_once() == [(name, False)]


@pytest.mark.req("N07", partial=True)
class TestPlannedStops:
    """A maintenance window is logged when it starts and when it ends, once each."""

    async def test_start_and_end_are_logged_once(self, db: Database) -> None:
        start = datetime(2026, 12, 20, 9, 0, tzinfo=UTC) + timedelta(minutes=uuid.uuid4().int % 100000)
        window = PlannedStop(start, start + timedelta(hours=2), "サーバ更新")
        async with db.session() as session:
            repo = OperationsLogRepository(session)
            await record_maintenance(repo, [window], start - timedelta(minutes=1))
            await record_maintenance(repo, [window], start + timedelta(minutes=1))
            await record_maintenance(repo, [window], start + timedelta(minutes=2))
            await record_maintenance(repo, [window], start + timedelta(hours=3))
            await record_maintenance(repo, [window], start + timedelta(hours=4))
            rows, _ = await repo.page(None, start - timedelta(seconds=1), start + timedelta(hours=2, seconds=1), 0, 10)
            logged = [(r.kind, r.occurred_at) for r in rows]
            await session.rollback()
        assert logged == [
            ("maintenance_end", window.end),
            ("maintenance_start", window.start),
        ]

    async def test_the_maintenance_mode_switched_on_and_off_is_logged_once_each(self, db: Database) -> None:
        start = datetime(2027, 2, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=uuid.uuid4().int % 100000)
        async with db.session() as session:
            repo = OperationsLogRepository(session)
            assert await record_maintenance_mode(repo, False, start) is None, "off as before: nothing to log"
            assert await record_maintenance_mode(repo, True, start + timedelta(minutes=1)) is True
            assert await record_maintenance_mode(repo, True, start + timedelta(minutes=2)) is None, "still on"
            assert await record_maintenance_mode(repo, False, start + timedelta(minutes=3)) is False
            rows, _ = await repo.page(None, start, start + timedelta(minutes=4), 0, 10)
            logged = [(r.kind, r.occurred_at - start, r.details) for r in rows if r.component == "gateway"]
            listed = [state.component for state in await repo.states()]
            await session.rollback()
        plan = {"plan": "保守モード（設定による停止）"}
        assert logged == [
            ("maintenance_end", timedelta(minutes=3), plan),
            ("maintenance_start", timedelta(minutes=1), plan),
        ]
        assert "gateway-maintenance-mode" not in listed, "the mode is no component of the health list"

    async def test_a_stop_first_seen_after_it_ended_is_not_logged(self, db: Database) -> None:
        start = datetime(2025, 1, 5, 9, 0, tzinfo=UTC) + timedelta(minutes=uuid.uuid4().int % 100000)
        async with db.session() as session:
            repo = OperationsLogRepository(session)
            await record_maintenance(
                repo, [PlannedStop(start, start + timedelta(hours=1), "x")], start + timedelta(days=1)
            )
            _, total = await repo.page(None, start, start + timedelta(hours=2), 0, 10)
            await session.rollback()
        assert total == 0


class TestRetention:
    """Entries go after the retention (three years), and not before."""

    async def test_the_sweep_deletes_only_entries_older_than_the_retention(self, db: Database) -> None:
        now = datetime(2030, 6, 1, tzinfo=UTC)
        old, kept = uuid.uuid4(), uuid.uuid4()
        async with db.session() as session:
            repo = OperationsLogRepository(session)
            await repo.add(old, now - timedelta(days=1097), "component_down", "test-old", {})
            await repo.add(kept, now - timedelta(days=1095), "component_down", "test-kept", {})
        assert await OperationsLogSweep(db, retention_days=1096, interval=0).sweep(now) >= 1
        async with db.session() as session:
            repo = OperationsLogRepository(session)
            assert not await repo.has(old) and await repo.has(kept)

    async def test_a_retention_under_three_years_is_refused(self, db: Database) -> None:
        with pytest.raises(ValueError, match="at least"):
            OperationsLogSweep(db, retention_days=365, interval=0)
