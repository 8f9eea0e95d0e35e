"""Fixtures: a live contacts service on a fresh database."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from contacts.main import create_app
from sqlalchemy import text
from tbms_testing import service_client

Claimed = Callable[[uuid.UUID], Awaitable[bool]]


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The contacts API, in-process, against real PostgreSQL and NATS."""
    async with service_client("contacts", create_app) as api:
        yield api


@pytest.fixture(scope="session")
def claimed(client: httpx.AsyncClient) -> Claimed:
    """True once a consumer of the service has taken an event into its inbox (applied or skipped)."""

    async def _claimed(event_id: uuid.UUID) -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            found = await session.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id})
        return bool(found)

    return _claimed
