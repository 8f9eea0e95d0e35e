"""`GET /admin/snapshots/patients`: every patient's current event snapshot, page by page in id order, for rebuilding
the other services' read models (`tbms replay`, R28)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from tbms_contracts.patients import PatientSnapshot
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]


@pytest.mark.req("R28", partial=True)
class TestSnapshots:
    async def test_every_patient_comes_once_in_id_order_as_its_events_carry_it(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        made = [await make_patient() for _ in range(3)]
        corrected = await client.patch(
            f"/patients/{made[0]['id']}",
            json={"version": made[0]["version"], "changes": {"address": "東京都世田谷区試験町4-5-6"}},
            headers=auth_headers("nurse1"),
        )
        assert corrected.status_code == 200, corrected.text
        seen: list[PatientSnapshot] = []
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
            answer = await client.get("/admin/snapshots/patients", params=params, headers=auth_headers("admin1"))
            assert answer.status_code == 200, answer.text
            page = answer.json()
            seen += [PatientSnapshot.model_validate(item) for item in page["items"]]
            assert len(page["items"]) <= 2
            if not (after := page["next_after"]):
                break
        ids = [snapshot.id for snapshot in seen]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        by_id = {snapshot.id: snapshot for snapshot in seen}
        assert {patient["id"] for patient in made} <= set(by_id)
        first = by_id[made[0]["id"]]
        assert (first.version, first.address) == (corrected.json()["version"], "東京都世田谷区試験町4-5-6")
        assert first.registration_no == made[0]["registration_no"]

    async def test_only_an_administrator_may_read_every_patient(self, client: httpx.AsyncClient) -> None:
        refused = await client.get("/admin/snapshots/patients", headers=auth_headers("nurse1"))
        assert refused.status_code == 403

    async def test_a_bad_page_size_is_refused(self, client: httpx.AsyncClient) -> None:
        refused = await client.get("/admin/snapshots/patients?limit=0", headers=auth_headers("admin1"))
        assert refused.status_code == 422

    async def test_versions_come_in_id_order_and_named_snapshots_as_asked(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        made = [await make_patient() for _ in range(3)]
        corrected = await client.patch(
            f"/patients/{made[1]['id']}",
            json={"version": made[1]["version"], "changes": {"phone": "03-0000-0000"}},
            headers=auth_headers("nurse1"),
        )
        held, after = {}, None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
            answer = await client.get(
                "/admin/snapshots/patients/versions", params=params, headers=auth_headers("admin1")
            )
            assert answer.status_code == 200, answer.text
            ids = [item["id"] for item in answer.json()["items"]]
            assert ids == sorted(ids) and not set(ids) & set(held)
            held |= {item["id"]: item["version"] for item in answer.json()["items"]}
            if not (after := answer.json()["next_after"]):
                break
        assert held[made[1]["id"]] == corrected.json()["version"] == made[1]["version"] + 1
        assert held[made[0]["id"]] == made[0]["version"]

        unknown = "00000000-0000-4000-8000-000000000000"
        asked = [("id", made[2]["id"]), ("id", unknown), ("id", made[1]["id"])]
        answer = await client.get("/admin/snapshots/patients", params=asked, headers=auth_headers("admin1"))
        assert answer.status_code == 200, answer.text
        found = [(item["id"], item["version"]) for item in answer.json()["items"]]
        assert found == sorted([(made[1]["id"], held[made[1]["id"]]), (made[2]["id"], held[made[2]["id"]])])
        for path in ("/admin/snapshots/patients/versions", f"/admin/snapshots/patients?id={made[0]['id']}"):
            assert (await client.get(path, headers=auth_headers("nurse1"))).status_code == 403
