"""Fixtures: a live contacts service on a fresh database."""

from collections.abc import AsyncIterator

import httpx
import pytest
from contacts.main import create_app
from tbms_testing import service_client


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The contacts API, in-process, against real PostgreSQL and NATS."""
    async with service_client("contacts", create_app) as api:
        yield api
