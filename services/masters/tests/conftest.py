"""Fixtures: a live masters service on a fresh database."""

from collections.abc import AsyncIterator

import httpx
import pytest
from masters.main import create_app
from tbms_testing import service_client


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The masters API, in-process, against real PostgreSQL and NATS."""
    async with service_client("masters", create_app) as api:
        yield api
