"""Replicas of a service start together and each runs `alembic upgrade head` first (deploy/docker/entrypoint.sh):
the one that takes the migration lock migrates, the others wait and find the schema at head (R28)."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest
from tbms_testing.services import drop_database, recreate_database
from tbms_testing.services import test_env as environment_for

ROOT = Path(__file__).resolve().parents[1]
REPLICAS = 3


@pytest.mark.req("R28", partial=True)
async def test_replicas_upgrading_one_database_at_once_all_succeed() -> None:
    database = f"tbms_contacts_race{os.getpid()}_{uuid.uuid4().hex[:6]}"
    env = await asyncio.to_thread(environment_for, "contacts", database)
    await recreate_database(database)
    try:
        ini = str(ROOT / "services" / "contacts" / "alembic.ini")
        runs = [
            await asyncio.create_subprocess_exec(
                *[sys.executable, "-m", "alembic", "-c", ini, "upgrade", "head"],
                env={**os.environ, **env},
                cwd=ROOT,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(REPLICAS)
        ]
        results = await asyncio.gather(*(run.communicate() for run in runs))
        failures = [err.decode()[-2000:] for run, (_, err) in zip(runs, results, strict=True) if run.returncode]
        assert not failures, failures
        connection = await asyncpg.connect(f"postgresql://tbms@127.0.0.1:55432/{database}")
        try:
            assert await connection.fetchval("SELECT count(*) FROM alembic_version") == 1
        finally:
            await connection.close()
    finally:
        await drop_database(database)
