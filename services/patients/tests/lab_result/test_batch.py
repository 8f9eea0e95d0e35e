"""Results of one specimen entered at once (塗抹・培養・核酸増幅法): stored as separate results, all or none."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
COMMON = {"specimen": "喀痰", "collected_on": "2026-10-01", "result_on": "2026-10-03", "laboratory": "見本検査所"}
SMEAR = {**COMMON, "kind": "smear", "details": {"grade": "1+"}}
CULTURE = {**COMMON, "kind": "culture", "details": {"medium": "液体", "result": "培養中"}}
NAAT = {**COMMON, "kind": "naat", "details": {"method": "PCR", "result": "+"}}


async def batch(client: httpx.AsyncClient, patient_id: str, results: list, user: str = "nurse1") -> httpx.Response:
    return await client.post(
        f"/patients/{patient_id}/lab-results/batch", json={"results": results}, headers=auth_headers(user)
    )


async def results_of(client: httpx.AsyncClient, patient_id: str) -> list[dict]:
    response = await client.get(f"/patients/{patient_id}/lab-results", headers=auth_headers("nurse1"))
    return response.json()["items"]


@pytest.mark.req("R04")
class TestRecordAll:
    async def test_smear_culture_and_naat_of_one_specimen_become_three_results(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()

        response = await batch(client, patient["id"], [SMEAR, CULTURE, NAAT])

        assert response.status_code == 201, response.text
        stored = await results_of(client, patient["id"])
        assert sorted(r["kind"] for r in stored) == ["culture", "naat", "smear"]
        assert {(r["specimen"], r["collected_on"], r["laboratory"]) for r in stored} == {
            ("喀痰", "2026-10-01", "見本検査所")
        }
        assert {r["summary"] for r in stored} == {"1+", "培養中（液体）", "PCR +"}

    async def test_one_wrong_item_stores_nothing_and_names_its_field(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        wrong = {**CULTURE, "details": {"medium": "液体", "result": "たぶん陽性"}}

        response = await batch(client, patient["id"], [SMEAR, wrong, NAAT])

        assert response.status_code == 422
        assert set(response.json()["errors"]) == {"results.1.details.result"}
        assert await results_of(client, patient["id"]) == []

    async def test_a_wrong_date_is_named_with_its_item(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()

        response = await batch(client, patient["id"], [{**SMEAR, "collected_on": "2026-13-45"}])

        assert response.status_code == 422
        assert "results.0.collected_on" in response.json()["errors"]
        assert await results_of(client, patient["id"]) == []

    async def test_a_read_only_user_is_refused(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()

        response = await batch(client, patient["id"], [SMEAR], user="viewer1")

        assert response.status_code == 403
        assert await results_of(client, patient["id"]) == []
