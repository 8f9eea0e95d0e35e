"""Runs one service in-process against real PostgreSQL and NATS, on a fresh migrated database."""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import httpx
from fastapi import FastAPI

from tbms_testing.stack import REPO, ensure_infrastructure, service_env

ADMIN_DSN = "postgresql://tbms@127.0.0.1:55432/postgres"


async def recreate_database(name: str) -> None:
    """Drops and creates a database for one test run."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(name: str) -> None:
    """Drops a test database."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def test_env(service: str, database: str) -> dict[str, str]:
    """The service's local environment, pointed at a test database and test-only consumer names."""
    ensure_infrastructure()
    env = service_env(service)
    key = service.upper()
    env[f"TBMS_{key}_DATABASE_URL"] = f"postgresql+asyncpg://tbms@127.0.0.1:55432/{database}"
    env[f"TBMS_{key}_DURABLE_SUFFIX"] = f"-test{os.getpid()}"
    env.pop(f"TBMS_{key}_SPAN_FILE_DIR", None)
    for watched in ("HEALTH_TARGETS", "MAINTENANCE_SCHEDULE_URL"):  # a test app does not watch the dev stack
        env.pop(f"TBMS_{key}_{watched}", None)
    return env


def migrate(service: str, env: dict[str, str]) -> None:
    """Runs the service's Alembic migrations, so every test run also tests them."""
    ini = REPO / "services" / service / "alembic.ini"
    if ini.exists():
        subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
            env={**os.environ, **env},
            check=True,
            cwd=REPO,
        )


@asynccontextmanager
async def service_client(service: str, create_app: Callable[[], FastAPI]) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to a live, in-process instance of one service on a fresh database."""
    database = f"tbms_{service}_t{os.getpid()}"
    env = await asyncio.to_thread(test_env, service, database)
    await recreate_database(database)
    await asyncio.to_thread(migrate, service, env)
    os.environ.update(env)
    settings_module = importlib.import_module(f"{service}.settings")
    if hasattr(settings_module.get_settings, "cache_clear"):
        settings_module.get_settings.cache_clear()
    app = create_app()
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}") as client:
                client.app = app  # type: ignore[attr-defined]
                yield client
    finally:
        await drop_database(database)


async def wait_for(
    predicate: Callable[[], Awaitable[object]], *, timeout: float = 10.0, interval: float = 0.05
) -> object:
    """Polls until the predicate returns something truthy; fails the test after the timeout."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = await predicate()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last value: {last!r})")


@asynccontextmanager
async def service_process(service: str, database: str) -> AsyncIterator[httpx.AsyncClient]:
    """This code's `service` in its own uvicorn process on a fresh migrated `database` (dropped after), for page
    tests that need the service's newest endpoints while the stack runs an older release; the client has `.port`."""
    env = await asyncio.to_thread(test_env, service, database)
    await recreate_database(database)
    await asyncio.to_thread(migrate, service, env)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "uvicorn", "--factory", f"{service}.main:create_app", "--port", str(port)]
    server = await asyncio.create_subprocess_exec(
        *command, "--host", "127.0.0.1", "--log-level", "warning", env={**os.environ, **env}
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as api:
            for _ in range(300):
                try:
                    if (await api.get("/health/live")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            api.port = port  # type: ignore[attr-defined]
            yield api
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), timeout=20)
        await drop_database(database)


class Replica:
    """One uvicorn process of a service among its replicas: its process and port."""

    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process, self.port = process, port

    async def ready(self) -> bool:
        """True once the process answers readiness (its consumers started)."""
        try:
            async with httpx.AsyncClient(timeout=5) as http:
                return (await http.get(f"http://127.0.0.1:{self.port}/health/ready")).status_code == 200
        except httpx.TransportError:
            return False

    async def metrics(self) -> str:
        """The process's Prometheus text."""
        async with httpx.AsyncClient(timeout=10) as http:
            return (await http.get(f"http://127.0.0.1:{self.port}/metrics/")).text


@asynccontextmanager
async def service_replicas(
    service: str, database: str, count: int, env: dict[str, str] | None = None
) -> AsyncIterator[list[Replica]]:
    """`count` processes of this code's `service` on one freshly migrated `database` (dropped after), sharing their
    durable consumers as compose's replicas do, each ready; `env` adds to the test environment."""
    settings = await asyncio.to_thread(test_env, service, database) | (env or {})
    await recreate_database(database)
    await asyncio.to_thread(migrate, service, settings)
    replicas: list[Replica] = []
    try:
        for _ in range(count):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            command = [sys.executable, "-m", "uvicorn", "--factory", f"{service}.main:create_app", "--port", str(port)]
            process = await asyncio.create_subprocess_exec(
                *command, "--host", "127.0.0.1", "--log-level", "warning", env={**os.environ, **settings}
            )
            replicas.append(Replica(process, port))
        for replica in replicas:
            await wait_for(replica.ready, timeout=120, interval=0.5)
        yield replicas
    finally:
        for replica in replicas:
            if replica.process.returncode is None:
                replica.process.terminate()
                await asyncio.wait_for(replica.process.wait(), timeout=30)
        await drop_database(database)
