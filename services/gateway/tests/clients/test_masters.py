"""masters' districts as the gateway reads them: in masters' order, kept a minute, none while masters is away."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx
from gateway.clients.base import ReferenceCache
from gateway.clients.masters import DISTRICTS_TTL_SECONDS, MastersClient

from ..conftest import DISTRICTS, MASTERS


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The gateway's shared HTTP client."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def masters(http: httpx.AsyncClient, cache: ReferenceCache) -> MastersClient:
    """masters as a nurse calling from 192.0.2.10."""
    return MastersClient(http, MASTERS, token="a-token", client_ip="192.0.2.10", cache=cache)


class TestDistricts:
    async def test_the_names_come_in_masters_order_asked_with_the_users_token(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        assert await masters(http, ReferenceCache()).districts() == tuple(DISTRICTS)
        sent = backends.routes["districts"].calls.last.request
        assert sent.headers["authorization"] == "Bearer a-token" and sent.headers["x-forwarded-for"] == "192.0.2.10"

    async def test_they_are_kept_for_a_minute_then_read_again(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        cache = ReferenceCache()
        await masters(http, cache).districts()
        await masters(http, cache).districts()
        assert backends.routes["districts"].call_count == 1
        assert DISTRICTS_TTL_SECONDS == 60
        cache.entries = {key: (0.0, value) for key, (_, value) in cache.entries.items()}  # the minute is over
        await masters(http, cache).districts()
        assert backends.routes["districts"].call_count == 2

    @pytest.mark.parametrize(
        "failure",
        [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(503), httpx.Response(401)],
    )
    async def test_while_masters_cannot_answer_there_are_none_and_the_next_page_asks_again(
        self, http: httpx.AsyncClient, backends: respx.MockRouter, failure: object
    ) -> None:
        route = backends.routes["districts"]
        if isinstance(failure, Exception):
            route.mock(side_effect=failure)
        else:
            route.mock(return_value=failure)
        cache = ReferenceCache()
        assert await masters(http, cache).districts() == ()
        assert await masters(http, cache).districts() == ()
        assert route.call_count == 2

    async def test_an_answer_of_another_shape_counts_as_none(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.routes["districts"].mock(return_value=httpx.Response(200, json={"items": "?"}))
        assert await masters(http, ReferenceCache()).districts() == ()
