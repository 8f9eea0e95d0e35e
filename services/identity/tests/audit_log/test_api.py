"""Operation history over the API: audit events from NATS are stored once, searchable, and access-checked."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.clock import JST
from tbms_core.events import Envelope
from tbms_testing import wait_for

Items = list[dict[str, Any]]
Publish = Callable[..., Awaitable[Envelope]]
Build = Callable[..., OperationRecorded]


async def search(identity: httpx.AsyncClient, headers: dict[str, str], **params: str) -> Items:
    """GET /audit/events as an auditor."""
    response = await identity.get("/audit/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def wait_for_events(identity: httpx.AsyncClient, headers: dict[str, str], count: int, **params: str) -> Items:
    """Polls the history until at least `count` events match."""

    async def found() -> Items:
        items = await search(identity, headers, **params)
        return items if len(items) >= count else []

    return await wait_for(found, timeout=30, interval=0.5)  # type: ignore[return-value]


def new_person() -> str:
    """A synthetic person id nobody else uses."""
    return f"test-person-{uuid.uuid4()}"


class TestStoreOperationRecorded:
    """Every audit event any service publishes lands in the history."""

    @pytest.mark.req("R36")
    @pytest.mark.req("N05", partial=True)
    async def test_a_published_event_is_stored_with_when_who_where_whom_and_what(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build
    ) -> None:
        person = new_person()
        event: OperationRecorded = operation(person, operation=Operation.PRINT, record_type="document")
        envelope = await publish(event)
        [row] = await wait_for_events(identity, admin, 1, person_id=person, service="test")
        assert row["event_id"] == str(envelope.event_id)
        assert datetime.fromisoformat(row["occurred_at"]) == event.occurred_at
        assert (row["user_id"], row["username"], row["client_ip"]) == (event.user_id, "テスト保健師", "192.0.2.10")
        assert (row["operation"], row["record_type"], row["service"]) == ("print", "document", "test")
        assert row["seq"] >= 1

    @pytest.mark.req("R36")
    @pytest.mark.req("N05", partial=True)
    async def test_the_same_event_delivered_twice_is_stored_once(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build
    ) -> None:
        person = new_person()
        envelope = await publish(operation(person))
        await publish(envelope=envelope)  # same Nats-Msg-Id: JetStream drops it
        await publish(envelope=envelope, msg_id=str(uuid.uuid4()))  # a late redelivery: the inbox drops it
        marker = await publish(operation(person, operation=Operation.SEARCH))
        items = await wait_for_events(identity, admin, 2, person_id=person, service="test")
        ids = sorted(item["event_id"] for item in items)
        assert ids == sorted([str(envelope.event_id), str(marker.event_id)])


class TestSearch:
    """Auditors find who touched whose data, by operator, person, operation and period."""

    @pytest.mark.req("R36")
    async def test_filters_by_user_operation_and_period(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build
    ) -> None:
        person, nurse = new_person(), f"nurse-{uuid.uuid4().hex[:8]}"
        old = datetime.now(UTC) - timedelta(days=3)
        await publish(operation(person, username=nurse, operation=Operation.READ))
        await publish(operation(person, username=nurse, operation=Operation.UPDATE, occurred_at=old))
        await publish(operation(person, operation=Operation.PRINT))
        await wait_for_events(identity, admin, 3, person_id=person, service="test")

        async def count(**params: str) -> int:
            return len(await search(identity, admin, person_id=person, service="test", **params))

        today = datetime.now(JST).date().isoformat()
        assert await count(user=nurse) == 2
        assert await count(operation="print") == 1
        assert await count(**{"from": (old + timedelta(days=1)).isoformat()}) == 2
        assert await count(to=(old + timedelta(hours=1)).isoformat()) == 1
        assert await count(**{"from": today, "to": today}) == 2

    @pytest.mark.req("R36")
    async def test_reading_the_audit_log_is_itself_recorded(
        self, identity: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        person = new_person()
        assert await search(identity, admin, person_id=person, service="test") == []
        rows = await wait_for_events(identity, admin, 1, person_id=person, service="identity", user="admin1")
        for row in rows:  # each poll above is recorded too
            assert (row["service"], row["operation"], row["record_type"]) == ("identity", "read", "audit_log")
            assert f"person_id={person}" in row["query"]

    @pytest.mark.req("R32")
    async def test_a_nurse_without_audit_access_is_refused_in_japanese(
        self, identity: httpx.AsyncClient, nurse: dict[str, str]
    ) -> None:
        for path in ("/audit/events", "/audit/verify"):
            response = await identity.get(path, headers=nurse)
            assert response.status_code == 403
            body = response.json()
            assert body["code"] == "access_denied"
            assert "「監査」の参照権限がありません" in body["detail"]

    async def test_without_a_login_the_history_is_closed(self, identity: httpx.AsyncClient) -> None:
        response = await identity.get("/audit/events")
        assert response.status_code == 401
        assert "ログイン" in response.json()["detail"]


class TestHealth:
    """The supervisor sees the service ready only with its database and NATS."""

    async def test_ready_when_database_and_nats_answer(self, identity: httpx.AsyncClient) -> None:
        assert (await identity.get("/health/ready")).json() == {"status": "ok"}
