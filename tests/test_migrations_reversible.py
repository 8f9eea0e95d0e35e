"""Every service's migrations have a way back (N28): on a fresh database each goes up to head, all the way down
to an empty schema, and up again, so an upgrade can be undone by `alembic downgrade` as the upgrade procedure
(docs/upgrade.md) says, without a restore."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from tbms_testing.services import drop_database, recreate_database
from tbms_testing.services import test_env as environment_for

ROOT = Path(__file__).resolve().parents[1]
SERVICES = sorted(path.parent.name for path in (ROOT / "services").glob("*/alembic.ini"))
ROUND_TRIP = """
import sys
from alembic import command
from alembic.config import Config
config = Config(sys.argv[1])
command.upgrade(config, "head")
command.downgrade(config, "base")
command.upgrade(config, "head")
"""


@pytest.mark.req("N28", partial=True)
@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_go_down_to_nothing_and_up_again(service: str) -> None:
    database = f"tbms_{service}_mig{os.getpid()}_{uuid.uuid4().hex[:6]}"
    env = await asyncio.to_thread(environment_for, service, database)
    await recreate_database(database)
    try:
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", ROUND_TRIP, str(ROOT / "services" / service / "alembic.ini")],
            env={**os.environ, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    finally:
        await drop_database(database)


def test_every_service_with_a_database_is_checked() -> None:
    assert {"patients", "contacts", "reports", "search", "identity", "masters"} <= set(SERVICES)
