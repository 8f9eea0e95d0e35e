"""`POST /admin/backfill/patients`: the index cases rebuilt from the patients service's current snapshots (`tbms
replay contacts`), never over a newer version an event brought (R28)."""

import uuid

import httpx
import pytest
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish


def snapshot(patient_id: uuid.UUID, version: int, name: str) -> dict:
    """The patient snapshot a patient event of this synthetic patient carries, as JSON."""
    return patient_event(patient_id, version, name, name_kana="シケン ジロウ").payload["patient"]


async def name_of(client: httpx.AsyncClient, patient_id: uuid.UUID) -> str | None:
    response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
    return response.json()["name"] if response.status_code == 200 else None


@pytest.mark.req("R28", partial=True)
class TestBackfill:
    async def test_missing_and_older_index_cases_are_stored_and_newer_ones_kept(
        self, client: httpx.AsyncClient
    ) -> None:
        lost, behind, ahead = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await publish(patient_event(behind, 1, "試験 一郎"), patient_event(ahead, 4, "試験 四郎"))
        await wait_for(lambda: name_of(client, behind))
        await wait_for(lambda: name_of(client, ahead))
        page = {"items": [snapshot(lost, 2, "試験 二郎"), snapshot(behind, 3, "試験 三郎"), snapshot(ahead, 2, "古い")]}

        answer = await client.post("/admin/backfill/patients", json=page, headers=auth_headers("admin1"))

        assert answer.status_code == 200, answer.text
        assert answer.json() == {"received": 3, "applied": 2, "current": 1}
        assert [await name_of(client, p) for p in (lost, behind, ahead)] == ["試験 二郎", "試験 三郎", "試験 四郎"]

    async def test_only_an_administrator_may_backfill(self, client: httpx.AsyncClient) -> None:
        patient_id = uuid.uuid4()
        page = {"items": [snapshot(patient_id, 1, "試験 一郎")]}
        refused = await client.post("/admin/backfill/patients", json=page, headers=auth_headers("nurse1"))
        assert refused.status_code == 403
        assert await name_of(client, patient_id) is None

    async def test_the_versions_held_come_in_id_order_for_reconcile(self, client: httpx.AsyncClient) -> None:
        ids = [uuid.uuid4() for _ in range(3)]
        await publish(*[patient_event(patient_id, 2, "試験 三郎") for patient_id in ids])
        for patient_id in ids:
            await wait_for(lambda patient_id=patient_id: name_of(client, patient_id))
        held, after = [], None
        while True:
            params = {"limit": 2} | ({"after": after} if after else {})
            answer = await client.get("/admin/backfill/patients", params=params, headers=auth_headers("admin1"))
            assert answer.status_code == 200, answer.text
            held += [(item["id"], item["version"]) for item in answer.json()["items"]]
            if not (after := answer.json()["next_after"]):
                break
        assert [key for key, _ in held] == sorted(key for key, _ in held)
        assert {(str(patient_id), 2) for patient_id in ids} <= set(held)
        refused = await client.get("/admin/backfill/patients", headers=auth_headers("nurse1"))
        assert refused.status_code == 403
