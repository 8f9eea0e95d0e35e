"""The local stack runs NATS as production does: each service connects as its own user (N16, issue item 4)."""

from __future__ import annotations

import asyncio

import httpx
import nats
import pytest
from tbms_core import nats_access
from tbms_tools import config


def _connections() -> list[dict[str, object]]:
    """The client connections of every node (one, or each of a cluster's: a client is on one of them)."""
    found = []
    for node in config.nats_nodes():
        url = f"http://{config.HOST}:{node.monitor_port}/connz?auth=1&limit=1024"
        found += httpx.get(url, timeout=10).json()["connections"]
    return found


@pytest.mark.req("N16", partial=True)
def test_every_running_service_is_connected_as_its_own_user() -> None:
    by_name: dict[str, set[str]] = {}
    for connection in _connections():
        by_name.setdefault(str(connection.get("name", "")), set()).add(str(connection.get("authorized_user", "")))
    for service in nats_access.SERVICES:
        assert by_name.get(f"tbms-{service}") == {service}, (service, by_name.get(f"tbms-{service}"))


@pytest.mark.req("N16", partial=True)
async def test_patients_cannot_forge_another_services_audit_record_on_the_stack() -> None:
    errors: list[str] = []

    async def on_error(error: Exception) -> None:
        errors.append(str(error))

    nc = await nats.connect(
        nats_access.servers(config.service_env("patients")["TBMS_PATIENTS_NATS_URL"]),
        error_cb=on_error,
        **nats_access.connect_options("patients"),
    )
    try:
        js = nc.jetstream(timeout=3.0)
        await nc.publish("tbms.audit.identity.operation.recorded.v1", b"{}")
        await nc.publish("tbms.masters.record.changed.v1", b"{}")
        await nc.flush()
        await asyncio.sleep(0.3)
        assert sum("permissions violation" in e.lower() for e in errors) == 2, errors
        with pytest.raises(Exception):  # noqa: B017 - refused without a reply: a timeout or an API error
            await js.delete_stream("AUDIT")
        assert (await js.stream_info("AUDIT")).config.name == "AUDIT"
    finally:
        await nc.close()
