"""Every service keeps an idle connection open longer than its clients do.

httpx (the gateway's and the services' client) drops an idle connection after 5 s. A server that closed
its side after the same 5 s could do so just as a client sent the next request on it: the request fails
with "Server disconnected without sending a response" (seen once in CI). The servers wait longer.
"""

import asyncio

import pytest
from tbms_tools import config

CLIENT_IDLE_SECONDS = 5.0  # httpx.Limits().keepalive_expiry
REQUEST = b"GET /health/live HTTP/1.1\r\nHost: tbms\r\n\r\n"


async def _answers_after_idle(service: str) -> bool:
    """Two requests on one connection, the second after the client's own idle limit has passed."""
    reader, writer = await asyncio.open_connection(config.HOST, config.SERVICE_PORTS[service])
    try:
        for pause in (0.0, CLIENT_IDLE_SECONDS + 1):
            await asyncio.sleep(pause)
            writer.write(REQUEST)
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), timeout=10)
            if not status.startswith(b"HTTP/1.1 200"):
                return False
            headers = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":", 1)[1])
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
        return True
    finally:
        writer.close()


@pytest.mark.req("N07", partial=True)
async def test_every_service_answers_on_a_connection_idle_longer_than_the_clients_keep_theirs() -> None:
    services = config.SERVICES
    answered = await asyncio.gather(*(_answers_after_idle(service) for service in services))
    assert dict(zip(services, answered, strict=True)) == dict.fromkeys(services, True)
