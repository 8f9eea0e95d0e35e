"""`tbms audit verify|purge` against the real stack: an intact history passes, tampering is named by its seq (N05).

Tampering happens only in a throw-away copy: the first rows of the stack's operation history are copied into a
fresh, migrated identity test database, and a superuser edits them there with the append-only trigger disabled.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg
import httpx
import pytest
from tbms_core.clock import today
from tbms_testing import auth_headers, wait_for
from tbms_testing import services as test_databases
from tbms_tools import audit, cli, config
from tbms_tools.stack import ensure_up

ROWS = 5
STACK_HISTORY = f"postgresql://{config.PG_USER}@{config.HOST}:{config.PG_PORT}/tbms_identity"


@dataclass
class HistoryCopy:
    """The first rows of the stack's operation history, copied into a test database that may be tampered with."""

    dsn: str
    url: str  # what identity's settings take
    rows: Sequence[asyncpg.Record]
    checkpoint: asyncpg.Record

    def seq(self, index: int) -> int:
        """The seq of the index-th copied row."""
        return self.rows[index]["seq"]

    async def restore(self) -> None:
        """Puts back exactly the copied rows, chain head and checkpoint."""
        conn = await asyncpg.connect(self.dsn)
        try:
            async with conn.transaction():
                await conn.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
                await conn.execute("DELETE FROM audit_events")
                await conn.copy_records_to_table("audit_events", records=self.rows, columns=list(self.rows[0].keys()))
                await conn.execute("ALTER TABLE audit_events ENABLE TRIGGER USER")
                # the stack's chain id and checkpoint seal come along; the copied head is left unsealed
                await conn.execute(
                    "UPDATE audit_chain_checkpoint SET seq = $1, hash = $2, mac = $3, purged_before = NULL,"
                    " purged_at = NULL",
                    self.checkpoint["seq"],
                    self.checkpoint["hash"],
                    self.checkpoint["mac"],
                )
                await conn.execute(
                    "UPDATE audit_chain_head SET seq = $1, hash = $2, chain_id = $3, mac = NULL",
                    self.seq(-1),
                    self.rows[-1]["hash"],
                    self.checkpoint["chain_id"],
                )
        finally:
            await conn.close()

    async def tamper(self, statement: str, *args: object) -> None:
        """Runs one statement as the table owner with the append-only trigger disabled, and commits it."""
        conn = await asyncpg.connect(self.dsn)
        try:
            async with conn.transaction():
                await conn.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")
                await conn.execute(statement, *args)
                await conn.execute("ALTER TABLE audit_events ENABLE TRIGGER USER")
        finally:
            await conn.close()


async def first_rows(count: int) -> tuple[list[asyncpg.Record], asyncpg.Record]:
    """The stack's first `count` history rows after its checkpoint, and the checkpoint; only reads."""
    conn = await asyncpg.connect(STACK_HISTORY)
    try:
        checkpoint = await conn.fetchrow(
            "SELECT c.seq, c.hash, c.mac, h.chain_id FROM audit_chain_checkpoint c, audit_chain_head h"
        )
        query = "SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
        return list(await conn.fetch(query, checkpoint["seq"], count)), checkpoint
    finally:
        await conn.close()


async def make_history(count: int) -> None:
    """Reads the operation history as an auditor until it holds `count` rows (each read is itself recorded)."""
    headers = await asyncio.to_thread(auth_headers, "admin1")

    async def enough() -> bool:
        async with httpx.AsyncClient(base_url=config.service_url("identity"), timeout=30) as identity:
            (await identity.get("/audit/events", params={"limit": 1}, headers=headers)).raise_for_status()
        return len((await first_rows(count))[0]) >= count

    await wait_for(enough, timeout=60, interval=0.5)


@pytest.fixture(scope="module")
async def history() -> AsyncIterator[HistoryCopy]:
    """A migrated identity test database holding a copy of the stack's first history rows."""
    await asyncio.to_thread(ensure_up)
    rows, checkpoint = await first_rows(ROWS)
    if len(rows) < ROWS:  # a fresh stack: create some history the way every service does
        await make_history(ROWS)
        rows, checkpoint = await first_rows(ROWS)
    name = f"tbms_identity_audit_t{os.getpid()}"
    env = await asyncio.to_thread(test_databases.test_env, "identity", name)
    await test_databases.recreate_database(name)
    await asyncio.to_thread(test_databases.migrate, "identity", env)
    try:
        yield HistoryCopy(
            f"postgresql://{config.PG_USER}@{config.HOST}:{config.PG_PORT}/{name}",
            env["TBMS_IDENTITY_DATABASE_URL"],
            rows,
            checkpoint,
        )
    finally:
        await test_databases.drop_database(name)


@pytest.fixture
async def copy(history: HistoryCopy) -> HistoryCopy:
    """The copy as it was made, whatever the previous test did to it."""
    await history.restore()
    return history


@pytest.mark.req("R36")
@pytest.mark.req("N05", partial=True)
class TestVerify:
    """An operator proves with one command that nobody changed the operation history."""

    def test_the_running_stacks_history_is_intact(self, capsys: pytest.CaptureFixture[str]) -> None:
        ensure_up()
        assert cli.main(["audit", "verify"]) == 0
        assert "の改ざんはありません。" in capsys.readouterr().out

    def test_an_intact_copy_passes(self, copy: HistoryCopy) -> None:
        result = audit.verify(database_url=copy.url)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().startswith(f"操作履歴 {ROWS} 件の改ざんはありません。")

    async def test_an_altered_row_is_named(self, copy: HistoryCopy) -> None:
        await copy.tamper("UPDATE audit_events SET username = 'someone-else' WHERE seq = $1", copy.seq(2))
        result = audit.verify(database_url=copy.url)
        assert result.returncode == 1
        assert result.stderr.strip() == f"操作履歴 {copy.seq(2)} 番の内容が記録時から変更されています。"

    async def test_a_removed_row_is_named(self, copy: HistoryCopy) -> None:
        await copy.tamper("DELETE FROM audit_events WHERE seq = $1", copy.seq(1))
        result = audit.verify(database_url=copy.url)
        assert result.returncode == 1
        assert result.stderr.strip() == f"操作履歴 {copy.seq(1)} 番が削除されています。"

    async def test_a_row_inserted_behind_the_services_back_is_named(self, copy: HistoryCopy) -> None:
        forged = {**copy.rows[-1], "seq": copy.seq(-1) + 1, "event_id": uuid.uuid4()}
        columns = ", ".join(forged)
        values = ", ".join(f"${i}" for i in range(1, len(forged) + 1))
        await copy.tamper(f"INSERT INTO audit_events ({columns}) VALUES ({values})", *forged.values())  # noqa: S608
        result = audit.verify(database_url=copy.url)
        assert result.returncode == 1
        assert result.stderr.strip() == f"操作履歴 {copy.seq(-1) + 1} 番は正規の手順によらず追加された記録です。"


@pytest.mark.req("R36")
@pytest.mark.req("N05", partial=True)
class TestPurge:
    """An operator removes history past the retention period without breaking the chain."""

    def test_history_younger_than_three_years_is_kept(self, copy: HistoryCopy) -> None:
        result = audit.purge(today(), database_url=copy.url)
        assert result.returncode == 1
        assert "3年以上保存します" in result.stderr
        assert audit.verify(database_url=copy.url).returncode == 0

    def test_a_purge_leaves_a_verifiable_chain(self, copy: HistoryCopy) -> None:
        result = audit.purge(date(2000, 1, 1), database_url=copy.url)
        assert result.returncode == 0, result.stderr
        assert "操作履歴 0 件" in result.stdout
        verified = audit.verify(database_url=copy.url)
        assert verified.returncode == 0, verified.stderr
        assert f"操作履歴 {ROWS + 1} 件の改ざんはありません。" in verified.stdout  # the purge is itself recorded

    async def test_a_tampered_history_is_not_purged(self, copy: HistoryCopy) -> None:
        await copy.tamper("DELETE FROM audit_events WHERE seq = $1", copy.seq(1))
        result = audit.purge(date(2000, 1, 1), database_url=copy.url)
        assert result.returncode == 1
        assert f"操作履歴 {copy.seq(1)} 番が削除されています。" in result.stderr


def test_the_purge_command_takes_a_day() -> None:
    args = cli.build_parser().parse_args(["audit", "purge", "--before", "2023-04-01"])
    assert (args.group, args.action, args.before) == ("audit", "purge", date(2023, 4, 1))
