"""The complete registration card: person, notification, disease, clinical, record #1, exclusion, duplicates."""

import json
from typing import Any

import httpx
import nats
import pytest
from tbms_testing import auth_headers

CARD: dict[str, Any] = {
    "name": "試験 花子",
    "name_kana": "しけん はなこ",
    "sex": "female",
    "birth_date": "H2.7.10",
    "alias": "旧姓 見本",
    "occupation": "care_worker",
    "birth_country": "日本",
    "nationality": "日本",
    "notification": {
        "notified_on": "R8.10.3",
        "received_on": "2026-10-03",
        "type": "confirmed",
        "doctor_name": "見本 医師",
        "institution_name": "試験総合病院",
    },
    "disease": {
        "form": "both",
        "extrapulmonary_sites": ["lymph_node"],
        "gakkai_side": "b",
        "gakkai_type": "II",
        "gakkai_extent": 2,
        "symptoms": ["fever", "cough"],
        "first_visit_on": "2026-09-20",
        "diagnosed_on": "2026-10-02",
    },
    "clinical": {"prior_treatment": "initial", "risk_factors": ["diabetes"]},
}
SPUTUM_SMEAR = {"kind": "smear", "specimen": "喀痰", "collected_on": "2026-10-01", "details": {"grade": "2+"}}


async def register(client: httpx.AsyncClient, **changes: Any) -> httpx.Response:
    """Registers the synthetic card with changes, as nurse1."""
    return await client.post("/patients", json={**CARD, **changes}, headers=auth_headers("nurse1"))


async def shown(client: httpx.AsyncClient, patient_id: str) -> dict[str, Any]:
    """The patient as the API shows it to a reader."""
    response = await client.get(f"/patients/{patient_id}", headers=auth_headers("viewer1"))
    assert response.status_code == 200
    return response.json()


async def history_of(client: httpx.AsyncClient, patient_id: str) -> list[dict[str, Any]]:
    """The patient's edit history, newest first."""
    response = await client.get(f"/patients/{patient_id}/history", headers=auth_headers("viewer1"))
    assert response.status_code == 200
    return response.json()["items"]


@pytest.mark.req("R03")
@pytest.mark.req("R09", partial=True)
class TestRegistrationCard:
    """POST /patients with every section of the 結核登録票 and 発生届."""

    async def test_every_section_is_stored_and_normalised(self, client: httpx.AsyncClient) -> None:
        response = await register(client)
        assert response.status_code == 201, response.text
        patient = response.json()
        assert patient["name_kana"] == "シケン ハナコ" and patient["alias"] == "旧姓 見本"
        assert patient["notification"]["notified_on"] == "2026-10-03"
        assert patient["notification"]["type"] == "confirmed"
        assert patient["disease"]["symptoms"] == ["cough", "fever"]  # the list's own order
        assert patient["gakkai"] == "bII2"
        assert patient["clinical"]["risk_factors"] == ["diabetes"]
        assert patient["age"] is not None and patient["age"] >= 36

    async def test_invalid_sections_get_japanese_messages_and_nothing_is_stored(
        self, client: httpx.AsyncClient
    ) -> None:
        before = (await client.get("/patients?limit=1", headers=auth_headers("viewer1"))).json()["total"]
        bad = {
            **CARD["disease"],
            "form": "pulmonary",  # with an extrapulmonary site
            "gakkai_extent": 5,
            "symptoms": ["cough", "hiccups"],
        }
        response = await register(client, disease=bad)
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert any(key.startswith("disease") for key in errors)
        unknown = await register(client, occupation="astronaut")  # codes are checked against the コード表
        assert unknown.status_code == 422 and "職業区分「astronaut」" in unknown.json()["errors"]["occupation"]
        assert all(any("\u3040" <= ch <= "\u9fff" for ch in message) for message in errors.values())
        after = (await client.get("/patients?limit=1", headers=auth_headers("viewer1"))).json()["total"]
        assert after == before

    async def test_a_minor_keeps_a_guardian(self, client: httpx.AsyncClient) -> None:
        guardian = {"name": "試験 保護者", "relation": "母", "address": "東京都世田谷区試験町1-2-3"}
        patient = (await register(client, birth_date="2019-04-01", guardian=guardian)).json()
        assert patient["guardian"]["name"] == "試験 保護者" and patient["age"] < 18

    async def test_registration_event_carries_the_sections(self, client: httpx.AsyncClient) -> None:
        nc = await nats.connect("nats://127.0.0.1:54222")
        sub = await nc.jetstream().subscribe(
            "tbms.patients.patient.registered.v1", ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.NEW
        )
        patient = (await register(client, name="試験 届出")).json()
        msg = await sub.next_msg(timeout=5)
        while json.loads(msg.data)["aggregate_id"] != patient["id"]:
            msg = await sub.next_msg(timeout=5)
        snapshot = json.loads(msg.data)["payload"]["patient"]
        await nc.close()
        assert snapshot["gakkai"] == "bII2" and snapshot["disease"]["form"] == "both"
        assert snapshot["notification"]["institution_name"] == "試験総合病院"
        assert snapshot["at_registration"]["clinical"]["prior_treatment"] == "initial"


@pytest.mark.req("R03")
class TestClassification:
    """総合患者分類コード derived from the data."""

    async def test_pulmonary_without_bacteriology_is_4_and_a_positive_sputum_smear_makes_it_1(
        self, client: httpx.AsyncClient
    ) -> None:
        patient = (await register(client)).json()
        assert patient["classification_code"] == "4"
        recorded = await client.post(
            f"/patients/{patient['id']}/lab-results", json=SPUTUM_SMEAR, headers=auth_headers("nurse1")
        )
        assert recorded.status_code == 201
        now = await shown(client, patient["id"])
        assert now["classification_code"] == "1" and now["classification"] == "肺結核活動性・喀痰塗抹陽性・初回治療"
        assert now["at_registration"]["classification_code"] == "4"  # record #1 keeps its own facts

    async def test_retreatment_extrapulmonary_and_ltbi(self, client: httpx.AsyncClient) -> None:
        again = (await register(client, clinical={"prior_treatment": "retreatment"})).json()
        await client.post(f"/patients/{again['id']}/lab-results", json=SPUTUM_SMEAR, headers=auth_headers("nurse1"))
        assert (await shown(client, again["id"]))["classification_code"] == "2"
        outside = {"form": "extrapulmonary", "extrapulmonary_sites": ["pleura"]}
        assert (await register(client, disease=outside)).json()["classification_code"] == "5"
        latent = (await register(client, category="ltbi", disease={"form": "ltbi"})).json()
        assert latent["classification_code"] == "8"
        assert (await register(client, category="provisional", disease={})).json()["classification_code"] == ""


@pytest.mark.req("R21", partial=True)
class TestCorrectingSections:
    """PATCH /patients/{id} with a section."""

    async def test_a_section_change_is_kept_field_by_field_with_japanese_labels(
        self, client: httpx.AsyncClient
    ) -> None:
        patient = (await register(client)).json()
        disease = {**patient["disease"], "gakkai_type": "III", "gakkai_extent": 1}
        response = await client.patch(
            f"/patients/{patient['id']}",
            json={"version": patient["version"], "changes": {"disease": disease}, "reason": "画像の再読影"},
            headers=auth_headers("nurse1"),
        )
        assert response.status_code == 200, response.text
        assert response.json()["gakkai"] == "bIII1"
        changes = {c["label"]: c for c in (await history_of(client, patient["id"]))[0]["changes"]}
        assert changes["学会分類（病型）"]["old"] == "II 非広汎空洞型"
        assert changes["学会分類（病型）"]["new"] == "III 不安定非空洞型"
        assert changes["学会分類（拡がり）"]["new"] == "1"


@pytest.mark.req("R03")
class TestRecordOne:
    """Record #1: the facts as at registration, distinct from the current facts (TB_PRACTICE §1.6)."""

    async def test_later_dst_goes_into_record_one_and_current_changes_leave_it_alone(
        self, client: httpx.AsyncClient
    ) -> None:
        patient = (await register(client)).json()
        late_dst = {"smear": "2+", "culture": "陽性", "dst": {"INH": "S", "RFP": "R"}}
        response = await client.patch(
            f"/patients/{patient['id']}/at-registration",
            json={"version": patient["version"], "changes": {"bacteriology": late_dst}, "reason": "感受性結果の到着"},
            headers=auth_headers("nurse1"),
        )
        assert response.status_code == 200, response.text
        corrected = response.json()
        assert corrected["at_registration"]["bacteriology"]["dst"] == {"INH": "S", "RFP": "R"}
        assert corrected["at_registration"]["classification_code"] == "1"
        entry = (await history_of(client, patient["id"]))[0]
        labels = {c["label"] for c in entry["changes"]}
        assert "登録時：感受性（RFP）" in labels and "登録時：塗抹" in labels
        assert entry["reason"] == "感受性結果の到着"

        disease = {**patient["disease"], "form": "pulmonary", "extrapulmonary_sites": []}
        current = await client.patch(
            f"/patients/{patient['id']}",
            json={"version": corrected["version"], "changes": {"disease": disease}},
            headers=auth_headers("nurse1"),
        )
        assert current.json()["disease"]["form"] == "pulmonary"
        assert current.json()["at_registration"]["disease"]["form"] == "both"

    async def test_a_stale_record_one_correction_is_refused(self, client: httpx.AsyncClient) -> None:
        patient = (await register(client)).json()
        body = {"version": patient["version"], "changes": {"category": "recovered"}}
        url = f"/patients/{patient['id']}/at-registration"
        assert (await client.patch(url, json=body, headers=auth_headers("nurse1"))).status_code == 200
        stale = await client.patch(url, json=body | {"changes": {"category": "ltbi"}}, headers=auth_headers("nurse1"))
        assert stale.status_code == 409
        assert (await shown(client, patient["id"]))["at_registration"]["category"] == "recovered"


@pytest.mark.req("R03")
class TestExclusion:
    """登録除外 and its cancellation."""

    async def test_exclusion_keeps_the_record_and_can_be_cancelled(self, client: httpx.AsyncClient) -> None:
        patient = (await register(client, registered_on="2026-10-01")).json()
        url = f"/patients/{patient['id']}"
        body = {"version": patient["version"], "excluded_on": "R8.11.1", "reason": "transfer_out", "note": "他県へ"}
        excluded = await client.post(f"{url}/exclusion", json=body, headers=auth_headers("nurse1"))
        assert excluded.status_code == 200, excluded.text
        assert excluded.json()["status"] == "excluded" and excluded.json()["excluded_on"] == "2026-11-01"
        again = await client.post(
            f"{url}/exclusion", json=body | {"version": excluded.json()["version"]}, headers=auth_headers("nurse1")
        )
        assert again.status_code == 409 and "すでに登録除外" in again.json()["detail"]
        back = await client.post(
            f"{url}/reinstatement",
            json={"version": excluded.json()["version"], "reason": "誤って除外したため"},
            headers=auth_headers("nurse1"),
        )
        assert back.status_code == 200 and back.json()["status"] == "active" and back.json()["excluded_on"] is None
        labels = [c["label"] for e in await history_of(client, patient["id"]) for c in e["changes"]]
        assert "除外理由" in labels and "登録除外日" in labels

    async def test_an_exclusion_before_registration_or_with_an_unknown_reason_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        patient = (await register(client, registered_on="2026-10-05")).json()
        url = f"/patients/{patient['id']}/exclusion"
        early = {"version": 1, "excluded_on": "2026-10-01", "reason": "death"}
        response = await client.post(url, json=early, headers=auth_headers("nurse1"))
        assert response.status_code == 422 and "登録年月日より前" in response.json()["errors"]["excluded_on"]
        unknown = await client.post(
            url, json=early | {"excluded_on": "2026-11-01", "reason": "bored"}, headers=auth_headers("nurse1")
        )
        assert unknown.status_code == 422 and "除外理由" in unknown.json()["errors"]["reason"]
        assert (await shown(client, patient["id"]))["status"] == "active"


@pytest.mark.req("R03")
class TestDuplicateCheck:
    """POST /patients/duplicates before a registration."""

    async def test_same_reading_and_birth_date_or_a_variant_kanji_name_are_found(
        self, client: httpx.AsyncClient
    ) -> None:
        first = (
            await register(client, name="髙橋 重複", name_kana="タカハシ チョウフク", birth_date="1961-02-03")
        ).json()
        by_reading = await client.post(
            "/patients/duplicates",
            json={"name": "別名 太郎", "name_kana": "ﾀｶﾊｼ ﾁｮｳﾌｸ", "birth_date": "S36.2.3"},
            headers=auth_headers("nurse1"),
        )
        assert by_reading.status_code == 200
        found = {item["id"]: item for item in by_reading.json()["items"]}
        assert first["id"] in found and found[first["id"]]["reason"] == "読みと生年月日が同じ"
        by_name = await client.post("/patients/duplicates", json={"name": "高橋　重複"}, headers=auth_headers("nurse1"))
        assert first["id"] in {item["id"] for item in by_name.json()["items"]}
        nobody = await client.post(
            "/patients/duplicates",
            json={"name": "該当 なし", "name_kana": "ガイトウ ナシ", "birth_date": "1961-02-03"},
            headers=auth_headers("nurse1"),
        )
        assert nobody.json()["items"] == []


class TestCodeLists:
    """GET /reference/card: one source for the card's codes and labels."""

    async def test_code_lists_match_what_the_api_accepts(self, client: httpx.AsyncClient) -> None:
        lists = (await client.get("/reference/card", headers=auth_headers("viewer1"))).json()
        assert lists["gakkai_type"]["II"] == "II 非広汎空洞型" and lists["classification"]["1"].startswith("肺結核")
        disease = {"form": "pulmonary", "gakkai_side": "r", "gakkai_type": "IV", "symptoms": list(lists["symptom"])[:2]}
        response = await register(client, disease=disease, occupation=next(iter(lists["occupation"])))
        assert response.status_code == 201, response.text
