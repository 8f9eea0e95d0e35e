"""Retention and the operator commands: a purge keeps the chain verifiable; `verify` names a broken seq."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from identity.audit_log.chain import ChainProblem, append_event, verify_chain
from identity.audit_log.retention import RetentionError, purge_before
from identity.login_history.repository import LoginEventRepository
from identity.login_history.sync import to_row
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.db import Database

YEARS_AGO_4 = datetime.now(UTC) - timedelta(days=4 * 366)
CUTOFF = datetime.now(UTC) - timedelta(days=3 * 366)


def old_or_new(occurred_at: datetime) -> OperationRecorded:
    """A synthetic access at a given time."""
    return OperationRecorded(
        occurred_at=occurred_at,
        service="test",
        user_id="u-retention",
        username="テスト保健師",
        client_ip="192.0.2.20",
        operation=Operation.READ,
        person_id="test-person-retention",
        record_type="patient",
    )


def login(at: datetime) -> dict[str, object]:
    """A synthetic Keycloak login event row."""
    raw = {"id": uuid.uuid4().hex, "time": int(at.timestamp() * 1000), "type": "LOGIN", "userId": "u-retention"}
    return to_row({**raw, "details": {"username": "t-retention"}})


@pytest.fixture
async def history(own_database: dict[str, str]) -> AsyncIterator[Database]:
    """A database holding 3 accesses and 1 login older than 3 years, and 2 accesses and 1 login of today."""
    db = Database(own_database["TBMS_IDENTITY_DATABASE_URL"], pool_size=2)
    async with db.session() as session:
        for at in [YEARS_AGO_4] * 3 + [datetime.now(UTC)] * 2:
            await append_event(session, uuid.uuid4(), old_or_new(at))
        await LoginEventRepository(session).add_new([login(YEARS_AGO_4), login(datetime.now(UTC))])
    yield db
    await db.dispose()


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Runs `python -m identity.audit_log.cli …` against the given database."""
    command = [sys.executable, "-m", "identity.audit_log.cli", *args]
    return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False)


class TestPurge:
    """History older than three years can be removed without making the rest unverifiable."""

    @pytest.mark.req("N05", partial=True)
    @pytest.mark.req("R36")
    async def test_purge_removes_old_rows_and_the_chain_still_verifies(self, history: Database) -> None:
        async with history.session() as session:
            result = await purge_before(session, CUTOFF, operator="t-operator")
        assert (result.audit_deleted, result.login_deleted, result.checkpoint_seq) == (3, 1, 3)
        async with history.session() as session:
            report = await verify_chain(session)
            kept = await session.scalar(text("SELECT count(*) FROM login_events"))
            purge_row = (
                await session.execute(text("SELECT operation, username FROM audit_events WHERE seq = 6"))
            ).one()
        assert report.ok and (report.checked, report.last_seq) == (3, 6)
        assert kept == 1 and tuple(purge_row) == ("delete", "t-operator")

    @pytest.mark.req("N05", partial=True)
    async def test_a_cutoff_within_three_years_is_refused(self, history: Database) -> None:
        async with history.session() as session:
            with pytest.raises(RetentionError, match="3年以上保存"):
                await purge_before(session, datetime.now(UTC) - timedelta(days=365))

    @pytest.mark.req("N05", partial=True)
    async def test_after_a_purge_a_removed_row_is_still_detected(self, history: Database) -> None:
        async with history.session() as session:
            await purge_before(session, CUTOFF)
        async with history.sessions() as session:
            await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            await session.execute(text("DELETE FROM audit_events WHERE seq = 4"))
            report = await verify_chain(session)
            await session.rollback()
        assert (report.ok, report.broken_seq, report.problem) == (False, 4, ChainProblem.MISSING)

    @pytest.mark.req("N05", partial=True)
    async def test_a_plain_delete_is_still_refused(self, history: Database) -> None:
        with pytest.raises(DBAPIError, match="append-only"):
            async with history.session() as session:
                await session.execute(text("DELETE FROM audit_events WHERE seq = 1"))


class TestCommandLine:
    """Operators check and purge the history from a shell."""

    @pytest.mark.req("N05", partial=True)
    async def test_verify_exits_0_when_intact_and_1_naming_the_seq_when_altered(
        self, history: Database, own_database: dict[str, str]
    ) -> None:
        intact = await asyncio.to_thread(cli, own_database, "verify")
        assert intact.returncode == 0 and "5 件の改ざんはありません" in intact.stdout
        async with history.session() as session:
            await session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            await session.execute(text("UPDATE audit_events SET username = '改ざん' WHERE seq = 2"))
            await session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        altered = await asyncio.to_thread(cli, own_database, "verify")
        assert altered.returncode == 1 and "操作履歴 2 番の内容が記録時から変更されています。" in altered.stderr

    @pytest.mark.req("N05", partial=True)
    async def test_purge_command_keeps_three_years(self, history: Database, own_database: dict[str, str]) -> None:
        refused = await asyncio.to_thread(cli, own_database, "purge", "--before", datetime.now(UTC).date().isoformat())
        assert refused.returncode == 1 and "3年以上保存" in refused.stderr
        done = await asyncio.to_thread(cli, own_database, "purge", "--before", CUTOFF.date().isoformat())
        assert done.returncode == 0, done.stderr
        assert "操作履歴 3 件、ログイン履歴 1 件を削除しました。" in done.stdout
        assert (await asyncio.to_thread(cli, own_database, "verify")).returncode == 0
