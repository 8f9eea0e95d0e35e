"""A restored copy (the restore drill's) serves its database and never reaches NATS: no relay publishes its outbox,
no consumer takes the live system's messages, no start is recorded, none of the service's background work runs."""

from __future__ import annotations

from typing import ClassVar

import httpx
import pytest
from tbms_core.app import Consumer, ServiceKit, create_service_app
from tbms_core.settings import ServiceSettings, prefix
from tbms_testing.stack import ensure_infrastructure

UNREACHABLE_NATS = "nats://127.0.0.1:9"  # nothing listens: any connection attempt would fail the start


class CopySettings(ServiceSettings):
    """A throwaway service for this test."""

    model_config = prefix("copytest")
    service: ClassVar[str] = "copytest"


async def _never(*_: object) -> None:
    raise AssertionError("a restored copy must not consume events")


@pytest.mark.req("R31", partial=True)
async def test_a_restored_copy_starts_without_nats_and_runs_no_relay_consumer_or_hook() -> None:
    ensure_infrastructure()
    started: list[str] = []

    async def on_startup(kit: ServiceKit) -> None:
        started.append(kit.name)

    settings = CopySettings(
        database_url="postgresql+asyncpg://tbms@127.0.0.1:55432/postgres", nats_url=UNREACHABLE_NATS, restored_copy=True
    )
    consumer = Consumer("on_patient_registered", "tbms.patients.patient.registered.v1", _never)
    app = create_service_app("copytest", settings, title="test", consumers=[consumer], on_startup=on_startup)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://copytest") as client:
            assert (await client.get("/health/ready")).status_code == 200
        kit: ServiceKit = app.state.kit
        assert kit.tasks == [] and started == []
        assert not kit.broker.subscribers
