"""The change log through identity (N28): a service's start is recorded by the service itself, and each start
shows what changed since the previous one (version, migration, settings); configuration changes are listed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from identity.keycloak import KeycloakAdmin
from identity.settings import get_settings
from tbms_contracts.audit import DeploymentRecorded
from tbms_core.events import Envelope
from tbms_testing import wait_for

Publish = Callable[..., Awaitable[Envelope]]


def start(service: str, moment: datetime, **changes: Any) -> DeploymentRecorded:
    """A start of a made-up service."""
    values: dict[str, Any] = {
        "started_at": moment,
        "service": service,
        "environment": "production",
        "version": "1.4.0",
        "migration": "0007",
        "host": "app-1",
        "started_by": "運用担当 試験",
        "settings_digest": "a" * 64,
    }
    return DeploymentRecorded(**{**values, **changes})


async def starts_of(
    identity: httpx.AsyncClient, admin: dict[str, str], service: str, count: int
) -> list[dict[str, Any]]:
    """Waits until the change log holds `count` starts of the service; newest first."""

    async def found() -> list[dict[str, Any]]:
        response = await identity.get("/changes", params={"service": service}, headers=admin)
        assert response.status_code == 200, response.text
        starts = response.json()["starts"]
        return starts if len(starts) >= count else []

    return await wait_for(found, timeout=30, interval=0.5)  # type: ignore[return-value]


@pytest.mark.req("N28", partial=True)
async def test_each_start_says_what_changed_since_the_previous_one(
    identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish
) -> None:
    service = f"svc-{uuid.uuid4().hex[:6]}"
    first = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    events = [
        start(service, first),
        start(service, first + timedelta(days=1)),  # a plain restart
        start(service, first + timedelta(days=2), version="1.5.0", migration="0008"),  # an upgrade
        start(service, first + timedelta(days=3), version="1.5.0", migration="0008", settings_digest="b" * 64),
    ]
    for event in events:
        last = await publish(envelope=Envelope.of(event, aggregate_id=service, actor=event.started_by))
    await publish(envelope=last)  # delivered twice: kept once
    starts = await starts_of(identity, admin, service, 4)
    assert [item["changes"] for item in starts] == [
        ["設定の変更"],
        ["版の変更 1.4.0 → 1.5.0", "マイグレーション 0007 → 0008"],
        [],
        ["初回起動"],
    ]
    assert (starts[0]["started_by"], starts[0]["host"]) == ("運用担当 試験", "app-1")


@pytest.mark.req("N28", partial=True)
async def test_the_running_identity_service_recorded_its_own_start(
    identity: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    [latest, *_] = await starts_of(identity, admin, "identity", 1)
    newest = sorted((Path(__file__).parents[1] / "migrations" / "versions").glob("0*.py"))[-1].name[:4]
    assert latest["migration"] == newest  # the revision the service runs at: the newest migration
    assert latest["environment"] == "local"


async def test_only_auditors_read_the_change_log(identity: httpx.AsyncClient, nurse: dict[str, str]) -> None:
    assert (await identity.get("/changes", headers=nurse)).status_code == 403


@pytest.mark.req("N28", partial=True)
async def test_a_change_made_in_keycloak_itself_is_in_the_change_log_without_its_values(
    identity: httpx.AsyncClient, admin: dict[str, str], keycloak: KeycloakAdmin
) -> None:
    name = f"変更管理試験-{uuid.uuid4().hex[:6]}"
    created = await keycloak.send("POST", "/groups", {"name": name, "attributes": {"note": ["秘密の値"]}})
    group_id = created.headers["Location"].rsplit("/", 1)[-1]
    await keycloak.send("DELETE", f"/groups/{group_id}")

    async def of_the_group() -> list[dict[str, Any]]:
        changes = (await identity.get("/changes", headers=admin)).json()["realm"]
        assert name not in str(changes) and "秘密の値" not in str(changes)  # field names only, never values
        found = [c for c in changes if c["resource_path"] == f"groups/{group_id}"]
        return sorted(found, key=lambda c: c["operation"]) if len(found) >= 2 else []

    created_then_deleted = await wait_for(of_the_group, timeout=30, interval=0.5)
    assert [(c["operation"], c["description"]) for c in created_then_deleted] == [
        ("CREATE", "グループの作成"),
        ("DELETE", "グループの削除"),
    ]
    assert {"attributes", "name"} <= set(created_then_deleted[0]["fields"])
    # who did it: identity's own service account (its client's), by name
    assert created_then_deleted[0]["admin_username"] == f"service-account-{get_settings().keycloak_client_id}"
    assert await of_the_group() == created_then_deleted  # copied once, however often the log is read
