"""N29: the gateway answers over IPv4 and IPv6 when served as the production entrypoint serves it (an empty host:
every address of both families; "::" alone would be IPv6 only, "0.0.0.0" IPv4 only)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
import uvicorn
from gateway.app import build_gateway
from gateway.main import ROUTERS

from .chromium import free_port
from .conftest import make_settings

ENTRYPOINT = Path(__file__).parents[3] / "deploy" / "docker" / "entrypoint.sh"


@pytest.mark.req("N29", partial=True)
async def test_the_entrypoints_host_serves_ipv4_and_ipv6() -> None:
    script = ENTRYPOINT.read_text(encoding="utf-8")
    assert 'listen_host="${TBMS_LISTEN_HOST:-}"' in script and '--host "$listen_host"' in script
    assert not re.search(r"--host 0\.0\.0\.0", script)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(build_gateway(make_settings(), ROUTERS), host="", port=port))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        assert not serving.done(), "the gateway did not start"
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            for url in (f"http://127.0.0.1:{port}/health/live", f"http://[::1]:{port}/health/live"):
                assert (await client.get(url)).status_code == 200, url
    finally:
        server.should_exit = True
        await serving
