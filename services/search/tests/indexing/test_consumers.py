"""The index follows the patients service's events through JetStream: once each, newest version wins."""

from __future__ import annotations

import json
import uuid
from datetime import date

import httpx
import nats
import pytest
from prometheus_client import REGISTRY
from search.settings import get_settings
from sqlalchemy import text
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish

NATS_URL = "nats://127.0.0.1:54222"


def unique_number() -> str:
    """A 登録番号 no other test run uses, so searches by it find exactly one patient."""
    return f"9{uuid.uuid4().int % 10**8:08d}"


async def found(client: httpx.AsyncClient, query: str, user: str = "nurse1") -> list[dict]:
    """The items the search API returns for a query."""
    response = await client.get("/search", params={"q": query}, headers=auth_headers(user))
    assert response.status_code == 200, response.text
    return response.json()["items"]


@pytest.mark.req("R22", partial=True)
class TestPatientEvents:
    """Registered and updated patients become findable within a second."""

    async def test_a_registered_patient_is_found_by_name_and_birth_year(self, client: httpx.AsyncClient) -> None:
        await wait_for(caught_up, timeout=30)  # a new test consumer first replays the stream
        await found(client, "試験")  # log in and fetch the signing keys before the clock starts
        patient_id, number = uuid.uuid4(), unique_number()
        await publish(patient_event(patient_id, 1, "試験 太郎", number))

        async def indexed() -> list[dict]:
            return [item for item in await found(client, f"{number} しけん s45") if item["id"] == str(patient_id)]

        [item] = await wait_for(indexed, timeout=1.0)  # type: ignore[misc]
        assert item["name"] == "試験 太郎" and item["birth_date_wareki"] == "昭和45年3月1日"
        assert (item["area"], item["record_type"], item["status"]) == ("patients", "patient", "active")

    async def test_the_same_event_twice_is_indexed_once(self, client: httpx.AsyncClient) -> None:
        patient_id, number = uuid.uuid4(), unique_number()
        event = patient_event(patient_id, 1, "試験 重複", number)
        await publish(event)
        await wait_for(lambda: processed(client, event.event_id))
        before = duplicates()
        await publish_again(event)  # a relay retry after the dedup window: same event, new message id

        async def skipped() -> bool:
            return duplicates() == before + 1

        await wait_for(skipped, timeout=5)
        assert [item["name"] for item in await found(client, number)] == ["試験 重複"]

    async def test_an_update_replaces_and_an_older_one_is_ignored(self, client: httpx.AsyncClient) -> None:
        patient_id, number = uuid.uuid4(), unique_number()
        newest = patient_event(patient_id, 3, "検証 新姓", number, excluded_on=date(2026, 11, 20), status="excluded")
        first = patient_event(patient_id, 1, "試験 旧姓", number)
        await publish(first, newest)
        late = patient_event(patient_id, 2, "試験 中間", number)
        await publish(late)
        for event in (first, newest, late):  # registrations and updates are separate consumers: wait for all three
            await wait_for(lambda event=event: processed(client, event.event_id), timeout=10)
        [item] = await found(client, number)
        assert (item["name"], item["status"], item["excluded_on"]) == ("検証 新姓", "excluded", "2026-11-20")
        assert await found(client, "中間 " + number) == []

    async def test_a_deleted_patient_disappears_and_a_late_redelivery_cannot_bring_it_back(
        self, client: httpx.AsyncClient
    ) -> None:
        patient_id, number = uuid.uuid4(), unique_number()
        await publish(patient_event(patient_id, 1, "試験 削除", number))
        await wait_for(lambda: has(client, number), timeout=5)
        deleted = Envelope(
            type="tbms.patients.patient.deleted.v1", aggregate_id=str(patient_id), aggregate_version=2, payload={}
        )
        await publish(deleted)
        await wait_for(lambda: processed(client, deleted.event_id), timeout=5)
        assert await found(client, number) == []
        late = patient_event(patient_id, 1, "試験 削除", number)  # the registration, redelivered
        await publish_again(late)
        await wait_for(lambda: processed(client, late.event_id), timeout=5)
        assert await found(client, number) == []

    async def test_an_exclusion_shows_as_excluded_after_active_records(self, client: httpx.AsyncClient) -> None:
        first, second, number = uuid.uuid4(), uuid.uuid4(), unique_number()
        excluded = patient_event(first, 2, "試験 除外", number, status="excluded", excluded_on=date(2026, 11, 21))
        await publish(excluded, patient_event(second, 1, "試験 継続", number))
        await wait_for(lambda: has(client, number, count=2), timeout=5)
        items = await found(client, number)
        assert [(item["name"], item["status"]) for item in items] == [
            ("試験 継続", "active"),
            ("試験 除外", "excluded"),
        ]


async def has(client: httpx.AsyncClient, query: str, count: int = 1) -> bool:
    """True once a search finds `count` records."""
    return len(await found(client, query)) == count


async def publish_again(envelope: Envelope) -> None:
    """Publishes the same event under a fresh message id, so JetStream's dedup cannot drop it."""
    nc = await nats.connect(NATS_URL)
    data = json.dumps(envelope.model_dump(mode="json"), ensure_ascii=False).encode()
    await nc.jetstream().publish(envelope.type, data, headers={"Nats-Msg-Id": str(uuid.uuid4())})
    await nc.close()


async def processed(client: httpx.AsyncClient, event_id: uuid.UUID) -> bool:
    """True once the consumer has applied (and committed) an event."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        result = await session.execute(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id})
        return result.scalar_one() == 1


async def caught_up() -> bool:
    """True when the patient consumer has no delivered-but-unapplied or undelivered events."""
    nc = await nats.connect(NATS_URL)
    try:
        info = await nc.jetstream().consumer_info("PATIENTS", durable_name())
    finally:
        await nc.close()
    return info.num_pending == 0 and info.num_ack_pending == 0


def durable_name() -> str:
    """This test run's durable name of the patient consumer."""
    return f"search-on_patient_changed{get_settings().durable_suffix}"


def duplicates() -> float:
    """How many events the patient consumer skipped as already applied."""
    labels = {"consumer": durable_name(), "outcome": "duplicate"}
    return REGISTRY.get_sample_value("tbms_events_consumed_total", labels) or 0.0
