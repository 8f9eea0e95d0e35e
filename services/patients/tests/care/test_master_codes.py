"""Care records keep the masters' code of a picked 医療機関 or 保健所・自治体 beside its name (R25)."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from tbms_testing import auth_headers

HOSPITAL = "1319901232"  # a synthetic 医療機関コード whose 検証番号 checks
OTHER_HOSPITAL = "1319904566"
WRONG_HOSPITAL = "1319901233"  # the same with a wrong 検証番号
TOWN = "131997"  # a synthetic 全国地方公共団体コード whose 検査数字 checks
WRONG_TOWN = "131998"
RECORDS = {
    "treatments": ({"regimen": "2HREZ/4HR", "started_on": "R8.10.5", "institution": "試験病院"}, "institution_code"),
    "hospitalisations": ({"hospital": "試験病院", "admitted_on": "R8.10.5"}, "hospital_code"),
    "public-expenses": ({"basis": "37-2", "applied_on": "R8.10.5", "institution": "試験病院"}, "institution_code"),
}
TRANSFER = {"direction": "in", "moved_on": "R8.10.5", "counterpart": "試験市保健所"}

MakePatient = Callable[..., Awaitable[dict[str, Any]]]


async def post(client: httpx.AsyncClient, patient: dict[str, Any], path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(f"/patients/{patient['id']}/{path}", json=body, headers=auth_headers("nurse1"))


async def listing(client: httpx.AsyncClient, patient: dict[str, Any], path: str) -> list[dict[str, Any]]:
    response = await client.get(f"/patients/{patient['id']}/{path}", headers=auth_headers("viewer1"))
    assert response.status_code == 200
    return response.json()["items"]


async def history(client: httpx.AsyncClient, patient: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("viewer1"))
    assert response.status_code == 200
    return response.json()["items"]


@pytest.mark.req("R25", partial=True)
class TestInstitutionCodes:
    """治療・入院・公費負担 keep the 医療機関コード of the institution picked from the masters."""

    @pytest.mark.parametrize("path", list(RECORDS))
    async def test_a_wrong_check_digit_is_refused_in_japanese_and_nothing_is_stored(
        self, client: httpx.AsyncClient, make_patient: MakePatient, path: str
    ) -> None:
        patient = await make_patient()
        body, code = RECORDS[path]
        for wrong, says in ((WRONG_HOSPITAL, "検証番号"), ("13199", "10桁")):
            response = await post(client, patient, path, {**body, code: wrong})
            assert response.status_code == 422
            assert says in response.json()["errors"][code]
        assert await listing(client, patient, path) == []

    @pytest.mark.parametrize("path", list(RECORDS))
    async def test_a_picked_code_is_stored_corrected_and_shown_in_the_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient, path: str
    ) -> None:
        patient = await make_patient()
        body, code = RECORDS[path]
        record = (await post(client, patient, path, {**body, code: HOSPITAL})).json()
        assert record["data"][code] == HOSPITAL
        url = f"/patients/{patient['id']}/{path}/{record['id']}"
        change = {"version": 1, "changes": {code: OTHER_HOSPITAL}, "reason": "医療機関の選び直し"}
        response = await client.patch(url, json=change, headers=auth_headers("nurse1"))
        assert response.status_code == 200, response.text
        [entry] = (await history(client, patient))[:1]
        [shown] = entry["changes"]
        assert "医療機関コード" in shown["label"] and (shown["old"], shown["new"]) == (HOSPITAL, OTHER_HOSPITAL)
        wrong = {"version": 2, "changes": {code: WRONG_HOSPITAL}}
        refused = await client.patch(url, json=wrong, headers=auth_headers("nurse1"))
        assert refused.status_code == 422 and "検証番号" in refused.json()["errors"][code]
        [stored] = await listing(client, patient, path)
        assert stored["data"][code] == OTHER_HOSPITAL and stored["version"] == 2

    @pytest.mark.parametrize("path", list(RECORDS))
    async def test_a_name_typed_without_picking_keeps_no_code(
        self, client: httpx.AsyncClient, make_patient: MakePatient, path: str
    ) -> None:
        patient = await make_patient()
        body, code = RECORDS[path]
        assert (await post(client, patient, path, body)).status_code == 201
        assert (await post(client, patient, path, {**body, code: ""})).status_code == 201
        assert [r["data"][code] for r in await listing(client, patient, path)] == ["", ""]


@pytest.mark.req("R25", partial=True)
class TestCounterpartCode:
    """転入・転出 keep the 全国地方公共団体コード of the 保健所・自治体 picked from the masters."""

    async def test_a_wrong_check_digit_is_refused_and_a_right_code_is_kept(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        refused = await post(client, patient, "transfers", {**TRANSFER, "counterpart_code": WRONG_TOWN})
        assert refused.status_code == 422 and "検査数字" in refused.json()["errors"]["counterpart_code"]
        assert await listing(client, patient, "transfers") == []
        record = (await post(client, patient, "transfers", {**TRANSFER, "counterpart_code": TOWN})).json()
        assert record["data"]["counterpart_code"] == TOWN
        typed = (await post(client, patient, "transfers", TRANSFER)).json()
        assert typed["data"]["counterpart_code"] == "" and typed["data"]["counterpart"] == "試験市保健所"
        url = f"/patients/{patient['id']}/transfers/{record['id']}"
        change = {"version": 1, "changes": {"counterpart": "入力した保健所", "counterpart_code": ""}}
        assert (await client.patch(url, json=change, headers=auth_headers("nurse1"))).status_code == 200
        labels = {c["label"]: c["old"] for c in (await history(client, patient))[0]["changes"]}
        assert labels["相手方の自治体コード（全国地方公共団体コード）"] == TOWN


@pytest.mark.req("R25", partial=True)
class TestNotifyingDoctorCode:
    """The card's 届出医師 keeps the masters' 医師コード beside the name."""

    async def test_the_doctor_code_is_stored_and_shown_in_the_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(notification={"doctor_name": "見本 一郎", "doctor_code": "D00001"})
        assert patient["notification"]["doctor_code"] == "D00001"
        changes = {"notification": {"doctor_name": "見本 次郎", "doctor_code": "D00002"}}
        body = {"version": patient["version"], "changes": changes, "reason": "届出医師の訂正"}
        response = await client.patch(f"/patients/{patient['id']}", json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 200, response.text
        shown = {c["label"]: (c["old"], c["new"]) for c in (await history(client, patient))[0]["changes"]}
        assert shown["届出医師の医師コード"] == ("D00001", "D00002")
