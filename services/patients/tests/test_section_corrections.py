"""A section named in a correction is stored whole: only what really changed enters the edit history (R21)."""

import httpx
import pytest
from tbms_testing import auth_headers

from .conftest import MakePatient


async def _history(client: httpx.AsyncClient, patient_id: str) -> list[dict]:
    response = await client.get(f"/patients/{patient_id}/history", headers=auth_headers("nurse1"))
    return response.json()["items"]


@pytest.mark.req("R21", partial=True)
class TestPartialSections:
    async def test_a_partial_record_one_bacteriology_keeps_its_defaults_and_lists_only_real_changes(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {"version": patient["version"], "changes": {"bacteriology": {"smear": "2+"}}, "reason": "結果到着"}
        response = await client.patch(
            f"/patients/{patient['id']}/at-registration", json=body, headers=auth_headers("nurse1")
        )
        assert response.status_code == 200, response.text
        assert response.json()["at_registration"]["bacteriology"]["smear_gaffky"] == ""
        fields = [c["field"] for c in (await _history(client, patient["id"]))[0]["changes"]]
        assert fields == ["at_registration.bacteriology.smear"]

    async def test_a_partial_current_section_lists_only_real_changes(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {"version": patient["version"], "changes": {"notification": {"doctor_name": "医師 一郎"}}}
        response = await client.patch(f"/patients/{patient['id']}", json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 200, response.text
        assert response.json()["notification"]["institution_name"] == ""
        fields = [c["field"] for c in (await _history(client, patient["id"]))[0]["changes"]]
        assert fields == ["notification.doctor_name"]


@pytest.mark.req("R03")
class TestReadingSpaces:
    async def test_a_reading_typed_with_a_full_width_space_is_the_same_reading(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(name="空白 試験", name_kana="クウハク　シケン", birth_date="S50.5.5")
        query = {"name": "", "name_kana": "くうはく シケン", "birth_date": "1975-05-05"}
        found = await client.post("/patients/duplicates", json=query, headers=auth_headers("nurse1"))
        assert [c["id"] for c in found.json()["items"]] == [patient["id"]]
