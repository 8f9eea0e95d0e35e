"""Contacts learns of index patients from the patients service's events, once each, newest version wins."""

import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish

Claimed = Callable[[uuid.UUID], Awaitable[bool]]


def registered(patient_id: uuid.UUID, version: int, name: str) -> Envelope:
    """A patient event of a synthetic patient whose 登録番号 follows the version."""
    return patient_event(patient_id, version, name, registration_no=f"2026-9{version:04d}", name_kana="シケン ジロウ")


class TestIndexCaseFromEvents:
    """Index cases follow PatientRegistered and PatientUpdated."""

    @pytest.mark.req("R12", partial=True)
    async def test_registered_patient_becomes_an_index_case(self, client: httpx.AsyncClient) -> None:
        patient_id = uuid.uuid4()
        await publish(registered(patient_id, 1, "試験 次郎"))

        async def visible() -> dict | None:
            response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
            return response.json() if response.status_code == 200 else None

        case = await wait_for(visible)
        assert case["name"] == "試験 次郎" and case["birth_date"] == "1970-03-01"

    async def test_an_older_snapshot_after_a_newer_one_is_ignored(
        self, client: httpx.AsyncClient, claimed: Claimed
    ) -> None:
        patient_id = uuid.uuid4()
        await publish(registered(patient_id, 1, "試験 古い"), registered(patient_id, 3, "試験 新しい"))
        await publish(registered(patient_id, 2, "試験 中間"))

        async def newest() -> bool:
            response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
            return response.status_code == 200 and response.json()["version"] == 3

        await wait_for(newest)
        stale = registered(patient_id, 2, "試験 中間")
        await publish(stale)
        await wait_for(lambda: claimed(stale.event_id), timeout=15)  # the consumer has seen it: applied or skipped
        response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
        assert response.json()["name"] == "試験 新しい"
