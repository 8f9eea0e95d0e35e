"""Nothing is lost while identity is down: JetStream keeps audit events until the service is back (N05)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from identity.audit_log.chain import verify_database
from sqlalchemy import text
from tbms_contracts.audit import OperationRecorded
from tbms_core.db import Database
from tbms_core.events import Envelope
from tbms_testing import wait_for

Publish = Callable[..., Awaitable[Envelope]]
Build = Callable[..., OperationRecorded]
Start = Callable[[dict[str, str]], contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]


async def stored_ids(db: Database, envelopes: list[Envelope]) -> set[str]:
    """Which of the envelopes' events the database holds."""
    async with db.session() as session:
        rows = await session.scalars(
            text("SELECT event_id::text FROM audit_events WHERE event_id = ANY(:ids)"),
            {"ids": [e.event_id for e in envelopes]},
        )
        return set(rows)


async def all_stored(db: Database, envelopes: list[Envelope]) -> bool:
    """Waits until every envelope's event is in the database."""
    wanted = {str(e.event_id) for e in envelopes}

    async def done() -> bool:
        return await stored_ids(db, envelopes) == wanted

    await wait_for(done, timeout=60, interval=0.5)
    return True


class TestDowntime:
    """Audit events published while identity is stopped are stored when it starts again."""

    @pytest.mark.req("N05", partial=True)
    @pytest.mark.req("R36")
    async def test_events_published_while_stopped_are_all_stored_and_chained(
        self, own_database: dict[str, str], start_identity: Start, publish: Publish, operation: Build
    ) -> None:
        person = f"test-person-{uuid.uuid4()}"
        async with start_identity(own_database) as first:
            before = [await publish(operation(person))]
            await all_stored(first.app.state.db, before)  # type: ignore[attr-defined]
        while_down = [await publish(operation(person)) for _ in range(5)]
        async with start_identity(own_database) as second:
            db: Database = second.app.state.db  # type: ignore[attr-defined]
            await all_stored(db, before + while_down)
            report = await verify_database(db)
        assert report.ok and report.checked == report.last_seq >= 6
