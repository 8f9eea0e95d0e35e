"""The hash chain: intact history verifies; an altered, removed or forged row is named by its seq (N05)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from identity.audit_log.chain import ChainProblem, append_event, chain_hash, verify_chain, verify_database
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import OperationRecorded
from tbms_core.clock import JST
from tbms_core.db import Database
from tbms_core.events import Envelope
from tbms_testing import wait_for

Publish = Callable[..., Awaitable[Envelope]]
Build = Callable[..., OperationRecorded]


async def stored_seq(db: Database, envelope: Envelope) -> int:
    """Waits until the event is in the history and returns its seq."""

    async def seq() -> int | None:
        async with db.session() as session:
            return await session.scalar(
                text("SELECT seq FROM audit_events WHERE event_id = :id"), {"id": envelope.event_id}
            )

    return await wait_for(seq, timeout=30, interval=0.2)  # type: ignore[return-value]


@asynccontextmanager
async def tampering(db: Database) -> AsyncIterator[AsyncSession]:
    """A transaction of someone with the table owner's rights, rolled back afterwards."""
    async with db.sessions() as session:
        await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        try:
            yield session
        finally:
            await session.rollback()


async def verify(identity: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, object]:
    """GET /audit/verify as an auditor."""
    response = await identity.get("/audit/verify", headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


class TestVerify:
    """An auditor can prove nobody changed the operation history."""

    @pytest.mark.req("R36")
    @pytest.mark.req("N05", partial=True)
    async def test_an_intact_history_verifies(
        self, identity: httpx.AsyncClient, admin: dict[str, str], db: Database, publish: Publish, operation: Build
    ) -> None:
        await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        report = await verify(identity, admin)
        assert report["ok"] is True
        assert report["broken_seq"] is None
        assert report["checked"] == report["last_seq"] >= 1
        assert "改ざんはありません" in str(report["message"])

    @pytest.mark.req("R36")
    @pytest.mark.req("N05", partial=True)
    async def test_an_altered_row_is_named_by_its_seq(
        self, identity: httpx.AsyncClient, admin: dict[str, str], db: Database, publish: Publish, operation: Build
    ) -> None:
        seq = await stored_seq(db, await publish(operation(f"test-person-{uuid.uuid4()}")))
        await self._set_username(db, seq, "改ざん後の名前")
        try:
            report = await verify(identity, admin)
        finally:
            await self._set_username(db, seq, "テスト保健師")
        assert (report["ok"], report["broken_seq"], report["problem"]) == (False, seq, "altered")
        assert f"{seq} 番" in str(report["message"])
        assert (await verify(identity, admin))["ok"] is True

    @staticmethod
    async def _set_username(db: Database, seq: int, username: str) -> None:
        async with db.session() as session:
            await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            await session.execute(
                text("UPDATE audit_events SET username = :u WHERE seq = :s"), {"u": username, "s": seq}
            )
            await session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))

    @pytest.mark.req("R36")
    @pytest.mark.req("N05", partial=True)
    async def test_a_removed_row_is_named_by_its_seq(self, db: Database, publish: Publish, operation: Build) -> None:
        person = f"test-person-{uuid.uuid4()}"
        seq = await stored_seq(db, await publish(operation(person)))
        await stored_seq(db, await publish(operation(person)))
        async with tampering(db) as session:
            await session.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seq})
            report = await verify_chain(session)
        assert (report.ok, report.broken_seq, report.problem) == (False, seq, ChainProblem.MISSING)
        assert "削除" in report.message

    @pytest.mark.req("N05", partial=True)
    async def test_a_removed_last_row_is_named_by_its_seq(self, db: Database) -> None:
        async with tampering(db) as session:
            last = await session.scalar(text("SELECT max(seq) FROM audit_events"))
            await session.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": last})
            report = await verify_chain(session)
        assert (report.broken_seq, report.problem) == (last, ChainProblem.MISSING)

    @pytest.mark.req("R36")
    @pytest.mark.req("N05", partial=True)
    async def test_a_forged_row_is_named_by_its_seq(self, db: Database, operation: Build) -> None:
        async with tampering(db) as session:
            head = (await session.execute(text("SELECT seq, hash FROM audit_chain_head"))).one()
            forged = self._forged_row(head.seq + 1, operation(f"test-person-{uuid.uuid4()}"))
            forged["prev_hash"], forged["hash"] = head.hash, chain_hash(head.hash, forged)
            columns = ", ".join(forged)
            values = ", ".join(f":{name}" for name in forged)
            await session.execute(text(f"INSERT INTO audit_events ({columns}) VALUES ({values})"), forged)  # noqa: S608
            report = await verify_chain(session)
        assert (report.ok, report.broken_seq, report.problem) == (False, head.seq + 1, ChainProblem.UNCHAINED)

    @pytest.mark.req("N05", partial=True)
    async def test_a_row_relinked_to_another_predecessor_is_named_by_its_seq(self, db: Database) -> None:
        async with tampering(db) as session:
            last = await session.scalar(text("SELECT max(seq) FROM audit_events"))
            await session.execute(
                text("UPDATE audit_events SET prev_hash = :h WHERE seq = :s"), {"h": "a" * 64, "s": last}
            )
            report = await verify_chain(session)
        assert (report.broken_seq, report.problem) == (last, ChainProblem.RELINKED)

    @staticmethod
    def _forged_row(seq: int, event: OperationRecorded) -> dict[str, object]:
        return {
            **event.model_dump(mode="python"),
            "operation": str(event.operation),
            "seq": seq,
            "event_id": uuid.uuid4(),
            "recorded_at": datetime.now(UTC),
        }


class TestAppend:
    """Appends keep one linear chain, whoever writes concurrently, and nothing rewrites history."""

    @pytest.mark.req("N05", partial=True)
    async def test_concurrent_appends_keep_one_linear_chain(self, db: Database, operation: Build) -> None:
        person = f"test-person-{uuid.uuid4()}"

        async def append() -> None:
            async with db.session() as session:
                await append_event(session, uuid.uuid4(), operation(person))

        await asyncio.gather(*(append() for _ in range(25)))
        report = await verify_database(db)
        assert report.ok, report.message
        async with db.session() as session:
            count = await session.scalar(text("SELECT count(*) FROM audit_events WHERE person_id = :p"), {"p": person})
        assert count == 25

    @pytest.mark.req("N05", partial=True)
    async def test_the_service_cannot_update_or_delete_history(self, db: Database, operation: Build) -> None:
        async with db.session() as session:
            await append_event(session, uuid.uuid4(), operation(f"test-person-{uuid.uuid4()}"))
        for statement in ("UPDATE audit_events SET username = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with db.session() as session:
                    await session.execute(text(statement))


class TestChainHash:
    """The hash depends on every stored fact and on the row before, not on how a time was written."""

    def _row(self) -> dict[str, object]:
        return {
            "seq": 7,
            "event_id": uuid.UUID(int=7),
            "occurred_at": datetime(2026, 4, 1, 9, 30, tzinfo=JST),
            "service": "patients",
            "user_id": "u1",
            "username": "保健師一",
            "client_ip": "192.0.2.1",
            "operation": "read",
            "result": "success",
            "person_id": "p1",
            "record_type": "patient",
            "record_id": "p1",
            "query": None,
            "detail": None,
            "recorded_at": datetime(2026, 4, 1, tzinfo=UTC),
        }

    def test_the_same_instant_in_another_zone_hashes_the_same(self) -> None:
        row = self._row()
        same = {**row, "occurred_at": datetime(2026, 4, 1, 0, 30, tzinfo=UTC)}
        assert chain_hash("0" * 64, row) == chain_hash("0" * 64, same)

    def test_any_changed_field_or_predecessor_changes_the_hash(self) -> None:
        row = self._row()
        original = chain_hash("0" * 64, row)
        assert chain_hash("1" * 64, row) != original
        for name, value in row.items():
            changed = {**row, name: "x" if not isinstance(value, datetime) else value + timedelta(microseconds=1)}
            assert chain_hash("0" * 64, changed) != original, name
