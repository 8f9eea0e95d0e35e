"""Test results (菌検査): recording each kind, MDR, Gaffky numbers, corrections with history, events, access."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import nats
import pytest
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
SMEAR = {"kind": "smear", "specimen": "喀痰", "collected_on": "R8.10.1", "details": {"grade": "2+"}}
DST_MDR = {
    "kind": "dst",
    "specimen": "喀痰",
    "collected_on": "2026-10-01",
    "result_on": "2026-11-20",
    "details": {"results": {"INH": "R", "RFP": "R", "EB": "S", "SM": "未実施"}},
}


async def record(client: httpx.AsyncClient, patient_id: str, body: dict, user: str = "nurse1") -> httpx.Response:
    """Posts a result for a patient as a demo user."""
    return await client.post(f"/patients/{patient_id}/lab-results", json=body, headers=auth_headers(user))


async def results_of(client: httpx.AsyncClient, patient_id: str) -> list[dict]:
    """The patient's results as the API lists them."""
    response = await client.get(f"/patients/{patient_id}/lab-results", headers=auth_headers("viewer1"))
    assert response.status_code == 200
    return response.json()["items"]


@pytest.mark.req("R04")
class TestRecord:
    """POST /patients/{id}/lab-results."""

    async def test_smear_culture_and_naat_are_recorded_and_listed_newest_collection_first(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        culture = {"kind": "culture", "specimen": "喀痰", "collected_on": "2026-10-15"}
        culture["details"] = {"medium": "液体", "result": "陽性", "colony_grade": "2+"}
        naat = {"kind": "naat", "specimen": "胃液", "collected_on": "2026-09-01", "details": {"method": "PCR"}}
        naat["details"]["result"] = "-"
        for body in (SMEAR, culture, naat):
            assert (await record(client, patient["id"], body)).status_code == 201
        items = await results_of(client, patient["id"])
        assert [i["collected_on"] for i in items] == ["2026-10-15", "2026-10-01", "2026-09-01"]
        assert [i["summary"] for i in items] == ["陽性 2+（液体）", "2+", "PCR −"]
        assert [i["kind_label"] for i in items] == ["培養", "塗抹", "核酸増幅法"]

    async def test_resistance_to_inh_and_rfp_is_flagged_as_mdr(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        mdr = (await record(client, patient["id"], DST_MDR)).json()
        assert mdr["mdr"] is True and mdr["summary"] == "耐性: INH, RFP"
        mono = {**DST_MDR, "details": {"results": {"INH": "R", "RFP": "S"}}}
        assert (await record(client, patient["id"], mono)).json()["mdr"] is False

    async def test_an_old_gaffky_number_is_kept_beside_the_grade(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        both = await record(client, patient["id"], {**SMEAR, "details": {"grade": "3+", "gaffky": "ｇ９"}})
        only = await record(client, patient["id"], {**SMEAR, "details": {"gaffky": "ガフキー5号"}})
        assert both.json()["details"] == {"grade": "3+", "gaffky": "G9"} and both.json()["summary"] == "3+（G9）"
        assert only.json()["details"] == {"gaffky": "G5"}

    async def test_igra_tst_and_identification_are_recorded(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        bodies = [
            {
                "kind": "igra",
                "collected_on": "2026-10-01",
                "details": {"test": "QFT", "value": "0.52", "judgement": "陽性"},
            },
            {"kind": "tst", "collected_on": "2026-10-01", "details": {"induration_mm": 12, "judgement": "陽性"}},
            {
                "kind": "identification",
                "specimen": "喀痰",
                "collected_on": "2026-10-01",
                "details": {"organism": "結核菌群"},
            },
        ]
        summaries = [(await record(client, patient["id"], body)).json()["summary"] for body in bodies]
        assert summaries == ["QFT 0.52 陽性", "硬結12mm 陽性", "結核菌群"]

    async def test_each_invalid_field_gets_a_japanese_message_and_nothing_is_stored(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        bad_date = await record(client, patient["id"], {**SMEAR, "collected_on": "H31.5.1"})
        assert bad_date.status_code == 422
        assert "平成" in bad_date.json()["errors"]["collected_on"]
        bad_specimen = await record(client, patient["id"], {**SMEAR, "specimen": "血液"})
        assert bad_specimen.json()["errors"] == {
            "specimen": "検体「血液」はコード表にありません。選択肢から選んでください。"
        }
        bad_items = await record(client, patient["id"], {**SMEAR, "details": {"grade": "4+", "gaffky": "G12"}})
        assert bad_items.status_code == 422
        errors = bad_items.json()["errors"]
        assert errors["details.grade"] == "選択肢から選んでください。" and "G0〜G10" in errors["details.gaffky"]
        unknown = await record(client, patient["id"], {**DST_MDR, "details": {"results": {"XYZ": "R"}}})
        assert unknown.json()["errors"] == {
            "details.results": "薬剤「XYZ」はコード表にありません。選択肢から選んでください。"
        }
        assert await results_of(client, patient["id"]) == []

    async def test_read_only_user_cannot_record_but_can_view(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        response = await record(client, patient["id"], SMEAR, user="viewer1")
        assert response.status_code == 403 and "更新権限がありません" in response.json()["detail"]
        assert await results_of(client, patient["id"]) == []

    async def test_an_unknown_patient_is_a_japanese_not_found(self, client: httpx.AsyncClient) -> None:
        response = await record(client, "00000000-0000-4000-8000-000000000000", SMEAR)
        assert response.status_code == 404 and response.json()["detail"] == "指定された患者が見つかりません。"


@pytest.mark.req("R04")
class TestCorrectLabResult:
    """PATCH /patients/{id}/lab-results/{rid}."""

    @pytest.mark.req("R21", partial=True)
    async def test_a_correction_reflags_mdr_and_leaves_history_with_the_patient(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        result = (await record(client, patient["id"], DST_MDR)).json()
        body = {"version": 1, "changes": {"details": {"results": {"INH": "R", "RFP": "S"}}}, "reason": "転記誤り"}
        url = f"/patients/{patient['id']}/lab-results/{result['id']}"
        response = await client.patch(url, json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 200 and response.json()["mdr"] is False and response.json()["version"] == 2
        history = (await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("nurse1"))).json()
        entry = history["items"][0]
        assert entry["record_label"] == "菌検査" and entry["reason"] == "転記誤り"
        changes = {c["label"]: (c["old"], c["new"]) for c in entry["changes"]}
        assert changes == {
            "感受性（RFP）": ("R", "S"),
            "感受性（EB）": ("S", "（空欄）"),
            "感受性（SM）": ("未実施", "（空欄）"),
            "多剤耐性（MDR）": ("該当", "非該当"),
        }

    @pytest.mark.req("R21", partial=True)
    async def test_two_corrections_from_the_same_version_save_exactly_one(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        result = (await record(client, patient["id"], SMEAR)).json()
        url = f"/patients/{patient['id']}/lab-results/{result['id']}"
        bodies = [{"version": 1, "changes": {"laboratory": lab}} for lab in ("検査センターA", "検査センターB")]
        responses = await asyncio.gather(*(client.patch(url, json=b, headers=auth_headers("nurse1")) for b in bodies))
        assert sorted(r.status_code for r in responses) == [200, 409]
        stored = (await results_of(client, patient["id"]))[0]
        assert stored["version"] == 2
        assert stored["laboratory"] == next(r.json()["laboratory"] for r in responses if r.status_code == 200)


class TestLabEvents:
    """What recording a result publishes."""

    @pytest.mark.req("R04")
    async def test_a_recorded_result_is_published_with_its_snapshot(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        nc = await nats.connect("nats://127.0.0.1:54222")
        sub = await nc.jetstream().subscribe(
            "tbms.patients.lab_result.recorded.v1",
            ordered_consumer=True,
            deliver_policy=nats.js.api.DeliverPolicy.NEW,
        )
        result = (await record(client, patient["id"], DST_MDR)).json()
        envelope = json.loads((await sub.next_msg(timeout=5)).data)
        while envelope["aggregate_id"] != result["id"]:
            envelope = json.loads((await sub.next_msg(timeout=5)).data)
        snapshot = envelope["payload"]["lab_result"]
        assert snapshot["patient_id"] == patient["id"] and snapshot["mdr"] is True
        assert snapshot["details"]["results"]["INH"] == "R" and snapshot["collected_on"] == "2026-10-01"
        await nc.close()


@pytest.mark.req("R28", partial=True)
class TestSnapshots:
    """GET /admin/snapshots/lab-results: every result's current snapshot in id order, for `tbms replay reports`."""

    async def test_every_result_comes_once_in_id_order_with_its_current_version(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        made = [(await record(client, patient["id"], SMEAR)).json() for _ in range(3)]
        corrected = await client.patch(
            f"/patients/{patient['id']}/lab-results/{made[0]['id']}",
            json={"version": made[0]["version"], "changes": {"details": {"grade": "3+"}}},
            headers=auth_headers("nurse1"),
        )
        assert corrected.status_code == 200, corrected.text
        seen: dict[str, dict[str, Any]] = {}
        after: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"after": after} if after else {})
            answer = await client.get("/admin/snapshots/lab-results", params=params, headers=auth_headers("admin1"))
            assert answer.status_code == 200, answer.text
            ids = [item["id"] for item in answer.json()["items"]]
            assert ids == sorted(ids) and not set(ids) & set(seen) and len(ids) <= 2
            seen |= {item["id"]: item for item in answer.json()["items"]}
            if not (after := answer.json()["next_after"]):
                break
        first = seen[made[0]["id"]]
        assert (first["version"], first["details"]["grade"]) == (corrected.json()["version"], "3+")
        assert {result["id"] for result in made} <= set(seen)
        assert all(seen[result["id"]]["patient_id"] == patient["id"] for result in made)
        refused = await client.get("/admin/snapshots/lab-results", headers=auth_headers("nurse1"))
        assert refused.status_code == 403

        versions, after = {}, None
        while True:
            params = {"limit": 2} | ({"after": after} if after else {})
            answer = await client.get(
                "/admin/snapshots/lab-results/versions", params=params, headers=auth_headers("admin1")
            )
            versions |= {item["id"]: item["version"] for item in answer.json()["items"]}
            if not (after := answer.json()["next_after"]):
                break
        assert {result["id"]: versions[result["id"]] for result in made} == {
            result["id"]: seen[result["id"]]["version"] for result in made
        }
        named = [("id", made[2]["id"]), ("id", "00000000-0000-4000-8000-000000000000"), ("id", made[0]["id"])]
        answer = await client.get("/admin/snapshots/lab-results", params=named, headers=auth_headers("admin1"))
        assert [item["id"] for item in answer.json()["items"]] == sorted([made[0]["id"], made[2]["id"]])
