"""Contacts learns of index patients from the patients service's events, once each, newest version wins."""

import json
import uuid
from datetime import date

import httpx
import nats
import pytest
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for

NATS_URL = "nats://127.0.0.1:54222"


def registered(patient_id: uuid.UUID, version: int, name: str) -> Envelope:
    """A PatientRegistered/Updated envelope for a synthetic patient."""
    snapshot = PatientSnapshot(
        id=str(patient_id),
        version=version,
        registration_no=f"2026-9{version:04d}",
        registered_on=date(2026, 11, 1),
        category="patient",
        name=name,
        name_kana="シケン ジロウ",
        sex="male",
        birth_date=date(1970, 3, 1),
    )
    payload = PatientRegistered(patient=snapshot) if version == 1 else PatientUpdated(patient=snapshot)
    return Envelope.of(payload, aggregate_id=patient_id, version=version)


async def publish(*envelopes: Envelope) -> None:
    """Publishes envelopes to JetStream the way the outbox relay does."""
    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    for env in envelopes:
        data = json.dumps(env.model_dump(mode="json")).encode()
        await js.publish(env.type, data, headers={"Nats-Msg-Id": str(env.event_id)})
    await nc.close()


class TestIndexCaseFromEvents:
    """Index cases follow PatientRegistered and PatientUpdated."""

    @pytest.mark.req("R12")
    async def test_registered_patient_becomes_an_index_case(self, client: httpx.AsyncClient) -> None:
        patient_id = uuid.uuid4()
        await publish(registered(patient_id, 1, "試験 次郎"))

        async def visible() -> dict | None:
            response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
            return response.json() if response.status_code == 200 else None

        case = await wait_for(visible)
        assert case["name"] == "試験 次郎" and case["birth_date"] == "1970-03-01"

    async def test_an_older_snapshot_after_a_newer_one_is_ignored(self, client: httpx.AsyncClient) -> None:
        patient_id = uuid.uuid4()
        await publish(registered(patient_id, 1, "試験 古い"), registered(patient_id, 3, "試験 新しい"))
        await publish(registered(patient_id, 2, "試験 中間"))

        async def newest() -> bool:
            response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
            return response.status_code == 200 and response.json()["version"] == 3

        await wait_for(newest)
        await publish(registered(patient_id, 2, "試験 中間"))
        response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
        assert response.json()["name"] == "試験 新しい"

    async def test_unknown_patient_gets_a_japanese_404(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"/index-cases/{uuid.uuid4()}", headers=auth_headers("nurse1"))
        assert response.status_code == 404
        assert "発端患者" in response.json()["detail"]
