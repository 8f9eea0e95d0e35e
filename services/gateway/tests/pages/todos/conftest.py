"""The pages in front of this code's workflow service, in its own process on a fresh migrated database (the stack's
workflow runs the released code), reached over real HTTP with nurse1's token."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
import respx
from tbms_testing import auth_headers
from tbms_testing.services import drop_database, migrate, recreate_database, test_env

from ...chromium import free_port
from ...conftest import WORKFLOW

FORWARDED_HEADERS = ("content-type", "accept")


@pytest.fixture(scope="module")
async def workflow_api() -> AsyncIterator[httpx.AsyncClient]:
    """This code's workflow service in its own process on a fresh database, with real NATS and Keycloak."""
    database = f"tbms_workflow_gw{os.getpid()}"
    env = await asyncio.to_thread(test_env, "workflow", database)
    await recreate_database(database)
    await asyncio.to_thread(migrate, "workflow", env)
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "--factory", "workflow.main:create_app", "--port", str(port)]
    server = await asyncio.create_subprocess_exec(
        *command, "--host", "127.0.0.1", "--log-level", "warning", env={**os.environ, **env}
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300) as api:
            for _ in range(600):
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


@pytest.fixture
def real_workflow(backends: respx.MockRouter, workflow_api: httpx.AsyncClient) -> httpx.AsyncClient:
    """Sends the gateway's calls to workflow's circulations and to-dos to that process, as nurse1."""
    backends.pop("record-circulations")
    backends.route(host="127.0.0.1", port=58080).pass_through()  # Keycloak: real tokens and their keys
    backends.route(host="127.0.0.1", port=workflow_api.port).pass_through()  # type: ignore[attr-defined]

    async def forward(request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS}
        path = request.url.raw_path.decode()
        answer = await workflow_api.request(
            request.method, path, content=request.content, headers=headers | auth_headers("nurse1")
        )
        return httpx.Response(answer.status_code, content=answer.content, headers={"content-type": "application/json"})

    backends.route(host=httpx.URL(WORKFLOW).host).mock(side_effect=forward)
    return workflow_api
