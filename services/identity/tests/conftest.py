"""The identity service on a fresh database, with real PostgreSQL, NATS and Keycloak."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from identity.main import create_app
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.db import Database
from tbms_core.events import Envelope
from tbms_testing import auth_headers, service_client
from tbms_testing.events import publish as publish_like_relay

TEST_SUBJECT = "tbms.audit.test.operation.recorded.v1"


@pytest.fixture(scope="session")
async def identity() -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client to the running identity service."""
    async with service_client("identity", create_app) as client:
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
