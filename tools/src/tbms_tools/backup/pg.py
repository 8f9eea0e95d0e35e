"""PostgreSQL parts: pg_dump in custom format on an exported snapshot, and per-table fingerprints of that snapshot.

The fingerprints (row count and a content checksum per table) are computed in the same transaction whose snapshot
pg_dump reads, so the drill later compares a restore with the database as it was at the backup, not as it is now.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path
from typing import Any, BinaryIO

import asyncpg

from tbms_tools.backup.settings import BackupSettings

READ = 1024 * 1024

TABLES = """
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY 1, 2
"""


class PgError(Exception):
    """pg_dump, pg_restore or a database refused."""


def quote(identifier: str) -> str:
    """A quoted SQL identifier."""
    return '"' + identifier.replace('"', '""') + '"'


def _fingerprint_sql(schema: str, name: str) -> str:
    table = f"{quote(schema)}.{quote(name)}"
    rows = f'SELECT md5(t::text) COLLATE "C" AS h FROM {table} t'  # noqa: S608 - quoted catalog names
    digest = "coalesce(md5(string_agg(h, '' ORDER BY h)), '')"
    return f"SELECT count(*) AS rows, {digest} AS checksum FROM ({rows}) s"  # noqa: S608 - no user input


async def fingerprints(conn: asyncpg.Connection) -> dict[str, dict[str, Any]]:
    """Row count and order-independent content checksum of every table, as the connection's snapshot sees them."""
    result: dict[str, dict[str, Any]] = {}
    for table in await conn.fetch(TABLES):
        row = await conn.fetchrow(_fingerprint_sql(table["schema"], table["name"]))
        result[f"{table['schema']}.{table['name']}"] = {"rows": row["rows"], "checksum": row["checksum"]}
    return result


async def alembic_heads(conn: asyncpg.Connection) -> list[str]:
    """The Alembic revision(s) the database is at (none for a database without migrations)."""
    exists = await conn.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL")
    if not exists:
        return []
    return sorted(row["version_num"] for row in await conn.fetch("SELECT version_num FROM alembic_version"))


def bindir_for(server_version_num: int) -> Path:
    """The Debian client binaries of the server's major version (pg_dump must not be older than the server)."""
    major = server_version_num // 10000
    candidate = Path(f"/usr/lib/postgresql/{major}/bin")
    if (candidate / "pg_dump").is_file():
        return candidate
    raise PgError(
        f"PostgreSQL {major} のクライアント（pg_dump）が見つかりません。postgresql-client-{major} を入れてください。"
    )


async def server_version(settings: BackupSettings) -> tuple[int, str]:
    """The server's version number and text."""
    conn = await asyncpg.connect(settings.dsn("postgres"))
    try:
        return int(await conn.fetchval("SHOW server_version_num")), str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


async def existing_databases(settings: BackupSettings) -> set[str]:
    """The names of the server's databases."""
    conn = await asyncpg.connect(settings.dsn("postgres"))
    try:
        return {row["datname"] for row in await conn.fetch("SELECT datname FROM pg_database")}
    finally:
        await conn.close()


async def dump(
    settings: BackupSettings, database: str, bindir: Path, out: BinaryIO, *, extra: list[str] | None = None
) -> dict[str, Any]:
    """Streams `pg_dump -Fc` of one database into `out`; returns the snapshot's tables and Alembic heads."""
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        transaction = conn.transaction(isolation="repeatable_read", readonly=True)
        await transaction.start()
        try:
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            argv = [str(bindir / "pg_dump"), *settings.pg_args(), "-Fc", "-Z", "6", f"--snapshot={snapshot}"]
            argv += extra or []
            process = await asyncio.create_subprocess_exec(
                *argv, "-d", database, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            assert process.stdout is not None
            while data := await process.stdout.read(READ):
                out.write(data)
            stderr = (await process.stderr.read()).decode(errors="replace") if process.stderr else ""
            if await process.wait() != 0:
                raise PgError(f"pg_dump {database}: {stderr.strip()}")
            tables = await fingerprints(conn)
            heads = await alembic_heads(conn)
        finally:
            await transaction.rollback()
    finally:
        await conn.close()
    return {"database": database, "alembic_heads": heads, "tables": tables}


async def user_tables(settings: BackupSettings, database: str) -> int:
    """How many tables a database holds (0: empty, a restore may go there)."""
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        return len(await conn.fetch(TABLES))
    finally:
        await conn.close()


async def create_database(settings: BackupSettings, database: str, *, replace: bool = False) -> None:
    """Creates a database (dropping it first when `replace`)."""
    if not re.fullmatch(r"[A-Za-z0-9_]{1,63}", database):
        raise PgError(f"データベース名 {database!r} は使えません（英数字と _ で 63 文字まで）。")
    conn = await asyncpg.connect(settings.dsn("postgres"))
    try:
        if replace:
            await conn.execute(f"DROP DATABASE IF EXISTS {quote(database)} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {quote(database)}")
    finally:
        await conn.close()


async def drop_database(settings: BackupSettings, database: str) -> None:
    """Drops a (scratch) database."""
    conn = await asyncpg.connect(settings.dsn("postgres"))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {quote(database)} WITH (FORCE)")
    finally:
        await conn.close()


def restore(settings: BackupSettings, database: str, bindir: Path, chunks: Any) -> None:
    """Feeds a custom-format dump (an iterator of byte chunks) to pg_restore into an existing, empty database."""
    argv = [str(bindir / "pg_restore"), *settings.pg_args(), "--no-owner", "--no-acl", "--exit-on-error"]
    process = subprocess.Popen([*argv, "-d", database], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stderr is not None
    try:
        for chunk in chunks:
            process.stdin.write(chunk)
    except BrokenPipeError:
        pass
    finally:
        process.stdin.close()
    stderr = process.stderr.read().decode(errors="replace")
    if process.wait() != 0:
        raise PgError(f"pg_restore {database}: {stderr.strip()}")


async def table_fingerprints(settings: BackupSettings, database: str) -> dict[str, dict[str, Any]]:
    """The fingerprints of a (restored) database now."""
    conn = await asyncpg.connect(settings.dsn(database))
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            return await fingerprints(conn)
    finally:
        await conn.close()
