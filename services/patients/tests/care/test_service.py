"""Care records on the card: treatment courses, hospitalisations, transfers and progress notes."""

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import nats
import pytest
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
TREATMENT = {"regimen": "2HREZ/4HR", "started_on": "R8.10.5", "planned_end_on": "2027-04-04", "institution": "試験病院"}


async def post(client: httpx.AsyncClient, patient: dict, path: str, body: dict, user: str = "nurse1") -> httpx.Response:
    """Records a care record of a patient."""
    return await client.post(f"/patients/{patient['id']}/{path}", json=body, headers=auth_headers(user))


async def listing(client: httpx.AsyncClient, patient: dict, path: str) -> list[dict[str, Any]]:
    """A patient's records of one kind, as a reader sees them."""
    response = await client.get(f"/patients/{patient['id']}/{path}", headers=auth_headers("viewer1"))
    assert response.status_code == 200
    return response.json()["items"]


@pytest.mark.req("R03")
@pytest.mark.req("R09", partial=True)
class TestTreatment:
    """Treatment courses: regimen, dates, cohort outcome."""

    async def test_a_course_is_recorded_listed_and_labelled(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        response = await post(client, patient, "treatments", TREATMENT)
        assert response.status_code == 201, response.text
        course = response.json()
        assert course["data"]["started_on"] == "2026-10-05" and course["data"]["ended_on"] is None
        assert course["labels"]["regimen"].startswith("2HREZ/4HR")
        assert [item["id"] for item in await listing(client, patient, "treatments")] == [course["id"]]

    async def test_bad_dates_and_unknown_codes_get_japanese_messages(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        response = await post(
            client, patient, "treatments", {**TREATMENT, "planned_end_on": "2026-01-01", "outcome": "bored"}
        )
        assert response.status_code == 422
        messages = " ".join(response.json()["errors"].values())
        assert "治療成績" in messages
        assert (
            await post(client, patient, "treatments", {"regimen": "other", "started_on": "2026-10-01"})
        ).status_code == 422
        assert await listing(client, patient, "treatments") == []

    @pytest.mark.req("R21", partial=True)
    async def test_ending_a_course_is_a_versioned_correction_and_a_stale_one_is_refused(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        course = (await post(client, patient, "treatments", TREATMENT)).json()
        url = f"/patients/{patient['id']}/treatments/{course['id']}"
        end = {"version": 1, "changes": {"ended_on": "2026-11-10", "outcome": "completed"}, "reason": "治療終了"}
        response = await client.patch(url, json=end, headers=auth_headers("nurse1"))
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 2 and response.json()["labels"]["outcome"] == "治療完了"
        stale = await client.patch(url, json=end | {"changes": {"outcome": "lost"}}, headers=auth_headers("nurse1"))
        assert stale.status_code == 409
        before_start = await client.patch(
            url, json={"version": 2, "changes": {"ended_on": "2026-09-01"}}, headers=auth_headers("nurse1")
        )
        assert before_start.status_code == 422
        history = (await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("viewer1"))).json()
        # the newest entry of the course (ending it also started the 管理検診 plan, entered after it)
        entry = next(item for item in history["items"] if item["record_type"] == "treatment")
        assert entry["record_label"] == "治療" and entry["reason"] == "治療終了"
        assert {c["label"]: c["new"] for c in entry["changes"]}["治療成績（転帰）"] == "治療完了"
        shown = (await client.get(f"/patients/{patient['id']}", headers=auth_headers("viewer1"))).json()
        assert shown["classification_code"] == "6"  # 不活動性 once the course is completed

    async def test_the_course_is_published_with_its_snapshot(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        nc = await nats.connect("nats://127.0.0.1:54222")
        sub = await nc.jetstream().subscribe(
            "tbms.patients.care_record.saved.v1", ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.NEW
        )
        patient = await make_patient()
        course = (await post(client, patient, "treatments", TREATMENT)).json()
        msg = await sub.next_msg(timeout=5)
        while json.loads(msg.data)["aggregate_id"] != course["id"]:
            msg = await sub.next_msg(timeout=5)
        await nc.close()
        payload = json.loads(msg.data)["payload"]
        assert payload["created"] is True and payload["care_record"]["kind"] == "treatment"
        assert payload["care_record"]["patient_id"] == patient["id"]
        assert payload["care_record"]["data"]["regimen"] == "2HREZ/4HR"


@pytest.mark.req("R03")
@pytest.mark.req("R09", partial=True)
class TestHospitalisationTransferNotes:
    """Hospital stays under a 勧告 or not, transfers, and the 経過記録."""

    async def test_a_recommended_stay_and_its_discharge(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        stay = {"hospital": "試験病院", "admitted_on": "2026-10-06", "recommended": True}
        created = (await post(client, patient, "hospitalisations", stay)).json()
        assert created["data"]["recommended"] is True
        early = {"version": 1, "changes": {"discharged_on": "2026-10-01"}}
        url = f"/patients/{patient['id']}/hospitalisations/{created['id']}"
        response = await client.patch(url, json=early, headers=auth_headers("nurse1"))
        assert response.status_code == 422 and "退院日が入院日より前" in json.dumps(response.json(), ensure_ascii=False)
        ok = await client.patch(
            url, json=early | {"changes": {"discharged_on": "2026-11-01"}}, headers=auth_headers("nurse1")
        )
        assert ok.status_code == 200 and ok.json()["data"]["discharged_on"] == "2026-11-01"

    async def test_transfer_out_with_the_card_sent(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        body = {
            "direction": "out",
            "moved_on": "2026-11-02",
            "counterpart": "試験市保健所",
            "card_sent_on": "2026-11-04",
        }
        created = await post(client, patient, "transfers", body)
        assert created.status_code == 201 and created.json()["labels"]["direction"] == "転出"
        card_in = await post(client, patient, "transfers", body | {"direction": "in"})
        assert card_in.status_code == 422

    async def test_notes_name_their_author_and_newest_come_first(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        await post(
            client, patient, "notes", {"noted_on": "2026-10-01", "kind": "visit", "text": "初回訪問。服薬確認。"}
        )
        await post(client, patient, "notes", {"noted_on": "2026-10-08", "kind": "phone", "text": "電話で体調確認。"})
        notes = await listing(client, patient, "notes")
        assert [n["data"]["noted_on"] for n in notes] == ["2026-10-08", "2026-10-01"]
        assert notes[0]["data"]["author_name"] and notes[0]["labels"]["kind"] == "電話"
        assert (
            await post(client, patient, "notes", {"noted_on": "2026-10-09", "kind": "visit", "text": ""})
        ).status_code == 422

    @pytest.mark.req("R32")
    async def test_a_read_only_user_cannot_record(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        response = await post(
            client, patient, "notes", {"noted_on": "2026-10-01", "kind": "visit", "text": "x"}, "viewer1"
        )
        assert response.status_code == 403
        assert await listing(client, patient, "notes") == []


@pytest.mark.req("R33", partial=True)
class TestTreatmentConfigurableFields:
    """Configurable fields on treatment records."""

    async def test_values_are_checked_stored_and_corrected(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        key = f"dots_type_{uuid.uuid4().hex[:6]}"
        definition = {
            "target": "treatment",
            "key": key,
            "label": "DOTSの型",
            "type": "choice",
            "choices": [{"value": "A", "label": "A型（院内）"}, {"value": "B", "label": "B型（外来）"}],
        }
        assert (await client.post("/custom-fields", json=definition, headers=auth_headers("admin1"))).status_code == 201
        patient = await make_patient()
        wrong = await post(client, patient, "treatments", {**TREATMENT, "custom": {key: "Z"}})
        assert wrong.status_code == 422 and f"custom.{key}" in wrong.json()["errors"]
        course = (await post(client, patient, "treatments", {**TREATMENT, "custom": {key: "A"}})).json()
        assert course["data"]["custom"] == {key: "A"}
        url = f"/patients/{patient['id']}/treatments/{course['id']}"
        body = {"version": 1, "changes": {"custom": {key: "B"}}, "reason": "退院のため"}
        changed = await client.patch(url, json=body, headers=auth_headers("nurse1"))
        assert changed.status_code == 200 and changed.json()["data"]["custom"] == {key: "B"}
        history = (await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("viewer1"))).json()
        change = history["items"][0]["changes"][0]
        assert change["label"] == "DOTSの型" and change["new"] == "B型（外来）"


@pytest.mark.req("F06", partial=True)
async def test_a_progress_note_keeps_the_2go_record_items(
    client: httpx.AsyncClient, make_patient: Callable[..., Awaitable[dict[str, Any]]]
) -> None:
    """2号記録: the kind of contact, who was met and the next action, with the author."""
    patient = await make_patient()
    body = {
        "noted_on": "2026-04-01",
        "kind": "visit",
        "text": "服薬状況を確認",
        "contact": "visit",
        "met": "本人と妻",
        "next_action": "2週間後に再訪問",
    }
    response = await client.post(f"/patients/{patient['id']}/notes", json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    note = response.json()
    assert note["data"]["met"] == "本人と妻" and note["labels"]["contact"] == "訪問"
    assert note["data"]["author_name"] and note["data"]["next_action"] == "2週間後に再訪問"
    bad = await client.post(
        f"/patients/{patient['id']}/notes", json=body | {"contact": "fax"}, headers=auth_headers("nurse1")
    )
    assert bad.status_code == 422 and "対応の種別" in str(bad.json())
