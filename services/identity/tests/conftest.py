"""The identity service on a fresh database, with real PostgreSQL, NATS and Keycloak."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from identity.keycloak import KeycloakAdmin
from identity.main import create_app
from identity.settings import get_settings
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.db import Database
from tbms_core.events import Envelope
from tbms_testing import auth_headers, service_client
from tbms_testing.events import publish as publish_like_relay
from tbms_testing.services import drop_database, migrate, recreate_database, test_env

TEST_SUBJECT = "tbms.audit.test.operation.recorded.v1"


def create_test_app() -> FastAPI:
    """The identity app, connected to NATS as identity's own user."""
    get_settings.cache_clear()
    return create_app()


@pytest.fixture(scope="session")
async def identity() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to the running identity service."""
    async with service_client("identity", create_test_app) as client:
        yield client


@pytest.fixture(scope="session")
def db(identity: httpx.AsyncClient) -> Database:
    """The identity service's own database, for checks a user cannot make through the API."""
    return identity.app.state.db  # type: ignore[attr-defined]


Publish = Callable[..., Awaitable[Envelope]]


def make_operation(person_id: str, **fields: Any) -> OperationRecorded:
    """A synthetic audit event about one synthetic person."""
    values: dict[str, Any] = {
        "occurred_at": datetime.now(UTC),
        "service": "test",
        "user_id": "test-user-" + uuid.uuid4().hex[:8],
        "username": "テスト保健師",
        "client_ip": "192.0.2.10",
        "operation": Operation.READ,
        "person_id": person_id,
        "record_type": "patient",
        "record_id": person_id,
    }
    return OperationRecorded(**{**values, **fields})


@pytest.fixture(scope="session")
def operation() -> Callable[..., OperationRecorded]:
    """Builds synthetic audit events: `operation(person_id, **fields)`."""
    return make_operation


@pytest.fixture(scope="session")
def publish(identity: httpx.AsyncClient) -> Publish:
    """Publishes an audit event (or a given envelope) the way the outbox relay does; returns the envelope."""

    async def _publish(
        event: OperationRecorded | None = None, *, envelope: Envelope | None = None, msg_id: str | None = None
    ) -> Envelope:
        if envelope is None:
            assert event is not None
            envelope = Envelope.of(event, aggregate_id=event.record_id or event.user_id, actor=event.user_id)
        await publish_like_relay(envelope, subject=TEST_SUBJECT, msg_id=msg_id)
        return envelope

    return _publish


@pytest.fixture
async def admin(identity: httpx.AsyncClient) -> dict[str, str]:
    """admin1 (管理者), who has audit access."""
    return await asyncio.to_thread(auth_headers, "admin1")


@pytest.fixture
async def nurse(identity: httpx.AsyncClient) -> dict[str, str]:
    """nurse1 (保健師), who has no audit access."""
    return await asyncio.to_thread(auth_headers, "nurse1")


@pytest.fixture
async def viewer(identity: httpx.AsyncClient) -> dict[str, str]:
    """viewer1 (参照のみ), who has neither user administration nor audit access."""
    return await asyncio.to_thread(auth_headers, "viewer1")


@pytest.fixture
async def keycloak(identity: httpx.AsyncClient) -> AsyncIterator[KeycloakAdmin]:
    """The test run's own Keycloak admin client, for setup and cleanup behind the API."""
    client = KeycloakAdmin(get_settings())
    yield client
    await client.aclose()


@pytest.fixture
async def cleanup(keycloak: KeycloakAdmin) -> AsyncIterator[list[str]]:
    """Keycloak paths (`/users/<id>`, `/groups/<id>`) a test created; deleted afterwards."""
    created: list[str] = []
    yield created
    for path in created:
        with contextlib.suppress(httpx.HTTPStatusError):
            await keycloak.send("DELETE", path)


@pytest.fixture
async def own_database(identity: httpx.AsyncClient) -> AsyncIterator[dict[str, str]]:
    """The environment of a second, migrated identity database with its own consumer names; dropped after."""
    tag = uuid.uuid4().hex[:6]
    name = f"tbms_identity_t{os.getpid()}_{tag}"
    env = await asyncio.to_thread(test_env, "identity", name)
    env["TBMS_IDENTITY_DURABLE_SUFFIX"] = f"-test{os.getpid()}-{tag}"
    await recreate_database(name)
    await asyncio.to_thread(migrate, "identity", env)
    yield env
    await drop_database(name)


@contextlib.asynccontextmanager
async def identity_app(env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """Runs one more in-process identity app on the given environment until the block ends."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    get_settings.cache_clear()
    try:
        app = create_app()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://identity") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client


@pytest.fixture(scope="session")
def start_identity() -> Callable[[dict[str, str]], contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]:
    """Starts another identity app on an environment: `async with start_identity(env) as client`."""
    return identity_app
