"""PatientService through the API: registering (normalised input, Japanese errors, access levels, the events it
leaves behind), correcting (修正: optimistic locking, the edit history, events) and finding possible duplicates."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import nats
import pytest
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]

VALID = {
    "name": "試験 太郎",
    "name_kana": "ｼｹﾝ ﾀﾛｳ",
    "sex": "male",
    "birth_date": "S45.3.1",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町1-2-3",
    "district": "世田谷",
}


async def register(client: httpx.AsyncClient, user: str = "nurse1", **changes: str) -> httpx.Response:
    """Posts a registration as a demo user."""
    return await client.post("/patients", json={**VALID, **changes}, headers=auth_headers(user))


async def correct(
    client: httpx.AsyncClient, patient: dict, user: str = "nurse1", reason: str = "", **changes: str
) -> httpx.Response:
    """PATCHes a patient from the version it was read at."""
    body = {"version": patient["version"], "changes": changes, "reason": reason}
    return await client.patch(f"/patients/{patient['id']}", json=body, headers=auth_headers(user))


async def history_of(client: httpx.AsyncClient, patient_id: str, user: str = "nurse1") -> list[dict]:
    """The patient's edit history as the API returns it."""
    response = await client.get(f"/patients/{patient_id}/history", headers=auth_headers(user))
    assert response.status_code == 200
    return response.json()["items"]


async def _history(client: httpx.AsyncClient, patient_id: str) -> list[dict]:
    response = await client.get(f"/patients/{patient_id}/history", headers=auth_headers("nurse1"))
    return response.json()["items"]


class TestRegister:
    """POST /patients."""

    @pytest.mark.req("R03")
    async def test_nurse_registers_a_patient_with_a_new_registration_number(self, client: httpx.AsyncClient) -> None:
        response = await register(client)
        assert response.status_code == 201
        body = response.json()
        assert body["version"] == 1
        assert body["registration_no"].startswith(body["registered_on"][:4] + "-")
        assert body["birth_date"] == "1970-03-01"

    @pytest.mark.req("N11")
    async def test_half_width_and_hiragana_readings_are_stored_as_full_width_katakana(
        self, client: httpx.AsyncClient
    ) -> None:
        first = (await register(client)).json()
        second = (await register(client, name_kana=" しけん　はなこ ")).json()
        assert first["name_kana"] == "シケン タロウ"
        assert second["name_kana"] == "シケン　ハナコ"
        assert first["postal_code"] == "154-0017"

    async def test_variant_kanji_are_stored_exactly_as_typed(self, client: httpx.AsyncClient) -> None:
        body = (await register(client, name="髙﨑 検証")).json()
        assert body["name"] == "髙﨑 検証"

    @pytest.mark.req("N11")
    async def test_each_invalid_field_gets_a_japanese_message_and_nothing_is_stored(
        self, client: httpx.AsyncClient
    ) -> None:
        before = (await client.get("/patients", headers=auth_headers("nurse1"))).json()["total"]
        response = await register(client, name="", name_kana="Taro", birth_date="H31.5.1", postal_code="12")
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert set(errors) == {"name", "name_kana", "birth_date", "postal_code"}
        assert "平成" in errors["birth_date"] and "カタカナ" in errors["name_kana"]
        after = (await client.get("/patients", headers=auth_headers("nurse1"))).json()["total"]
        assert after == before

    @pytest.mark.req("R32")
    async def test_read_only_user_cannot_register(self, client: httpx.AsyncClient) -> None:
        response = await register(client, user="viewer1")
        assert response.status_code == 403
        assert response.json()["detail"] == "「患者管理」の更新権限がありません。管理者に確認してください。"

    async def test_registration_numbers_are_unique_under_concurrency(self, client: httpx.AsyncClient) -> None:
        responses = await asyncio.gather(*(register(client) for _ in range(10)))
        numbers = {r.json()["registration_no"] for r in responses}
        assert len(numbers) == 10


class TestEvents:
    """What registration publishes through the outbox."""

    async def test_registration_is_published_once_with_its_event_id_as_message_id(
        self, client: httpx.AsyncClient
    ) -> None:
        nc = await nats.connect("nats://127.0.0.1:54222")
        sub = await nc.jetstream().subscribe(
            "tbms.patients.patient.registered.v1", ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.NEW
        )
        patient = (await register(client, name="試験 発行")).json()
        msg = await sub.next_msg(timeout=5)
        while json.loads(msg.data)["aggregate_id"] != patient["id"]:
            msg = await sub.next_msg(timeout=5)
        envelope = json.loads(msg.data)
        assert msg.headers["Nats-Msg-Id"] == envelope["event_id"]
        assert "traceparent" in msg.headers
        assert envelope["payload"]["patient"]["name"] == "試験 発行"
        assert envelope["aggregate_version"] == 1
        await nc.close()

    @pytest.mark.req("N05", partial=True)
    async def test_viewing_a_patient_emits_an_audit_event_naming_the_person(self, client: httpx.AsyncClient) -> None:
        patient = (await register(client, name="試験 閲覧")).json()
        nc = await nats.connect("nats://127.0.0.1:54222")
        sub = await nc.jetstream().subscribe(
            "tbms.audit.patients.operation.recorded.v1",
            ordered_consumer=True,
            deliver_policy=nats.js.api.DeliverPolicy.NEW,
        )
        await client.get(f"/patients/{patient['id']}", headers=auth_headers("viewer1"))
        payload = json.loads((await sub.next_msg(timeout=5)).data)["payload"]
        while (payload["person_id"], payload["operation"]) != (patient["id"], "read"):
            payload = json.loads((await sub.next_msg(timeout=5)).data)["payload"]
        assert payload["username"] == "viewer1" and payload["record_type"] == "patient"
        assert payload["client_ip"]
        await nc.close()


@pytest.mark.req("R21", partial=True)
class TestCorrect:
    """PATCH /patients/{id}."""

    async def test_a_correction_is_normalised_and_bumps_the_version(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        response = await correct(client, patient, name_kana="ｼｹﾝ ｼﾞﾛｳ", birth_date="S46.4.2", postal_code="1540018")
        assert response.status_code == 200
        body = response.json()
        assert body["version"] == 2 and body["name_kana"] == "シケン ジロウ"
        assert body["birth_date"] == "1971-04-02" and body["postal_code"] == "154-0018"

    async def test_two_edits_from_the_same_version_save_exactly_one_and_lose_nothing(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        first, second = await asyncio.gather(
            correct(client, patient, address="東京都世田谷区一丁目"), correct(client, patient, phone="03-0000-0000")
        )
        assert sorted([first.status_code, second.status_code]) == [200, 409]
        refused = first if first.status_code == 409 else second
        assert refused.json()["detail"].startswith("このデータは他の利用者によって更新されています。")
        stored = (await client.get(f"/patients/{patient['id']}", headers=auth_headers("nurse1"))).json()
        saved = first if first.status_code == 200 else second
        assert stored["version"] == 2 and stored == {**saved.json(), "updated_at": stored["updated_at"]}
        assert len(await history_of(client, patient["id"])) == 1

    async def test_a_stale_version_is_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        assert (await correct(client, patient, address="一回目")).status_code == 200
        stale = await correct(client, patient, address="二回目")
        assert stale.status_code == 409 and stale.json()["code"] == "version_conflict"
        stored = (await client.get(f"/patients/{patient['id']}", headers=auth_headers("nurse1"))).json()
        assert stored["address"] == "一回目" and stored["version"] == 2
        assert len(await history_of(client, patient["id"])) == 1

    async def test_each_invalid_field_gets_a_japanese_message_and_nothing_is_stored(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        response = await correct(client, patient, name="", name_kana="Jiro", birth_date="H31.5.1", postal_code="12")
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert set(errors) == {"changes.name", "changes.name_kana", "changes.birth_date", "changes.postal_code"}
        assert "平成" in errors["changes.birth_date"] and "カタカナ" in errors["changes.name_kana"]
        stored = (await client.get(f"/patients/{patient['id']}", headers=auth_headers("nurse1"))).json()
        assert stored["version"] == 1 and stored["name"] == patient["name"]
        assert await history_of(client, patient["id"]) == []

    async def test_read_only_user_cannot_correct(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        response = await correct(client, patient, user="viewer1", address="変更")
        assert response.status_code == 403
        assert response.json()["detail"] == "「患者管理」の更新権限がありません。管理者に確認してください。"

    async def test_saving_without_a_difference_keeps_the_version(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        response = await correct(client, patient, name=patient["name"])
        assert response.status_code == 200 and response.json()["version"] == 1


@pytest.mark.req("R21", partial=True)
class TestHistory:
    """GET /patients/{id}/history."""

    async def test_history_says_who_changed_which_field_from_what_to_what_and_why_newest_first(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        saved = (await correct(client, patient, reason="本人申告により訂正", birth_date="S46.4.2")).json()
        await correct(client, saved, user="chief1", sex="female", address="")
        items = await history_of(client, patient["id"], user="viewer1")
        assert [i["version"] for i in items] == [3, 2]
        newest, oldest = items
        assert oldest["reason"] == "本人申告により訂正" and oldest["record_label"] == "基本情報"
        assert oldest["changes"] == [
            {
                "field": "birth_date",
                "label": "生年月日",
                "old": "昭和45年3月1日（1970年3月1日）",
                "new": "昭和46年4月2日（1971年4月2日）",
            }
        ]
        changes = {c["label"]: (c["old"], c["new"]) for c in newest["changes"]}
        assert changes == {"性別": ("男性", "女性"), "住所": ("東京都世田谷区試験町1-2-3", "（空欄）")}
        assert newest["changed_by_name"] and newest["changed_by"] != oldest["changed_by"]

    async def test_correction_is_published_with_its_changed_fields_and_audited(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        nc = await nats.connect("nats://127.0.0.1:54222")
        js = nc.jetstream()
        new = nats.js.api.DeliverPolicy.NEW
        events = await js.subscribe("tbms.patients.patient.updated.v1", ordered_consumer=True, deliver_policy=new)
        audits = await js.subscribe(
            "tbms.audit.patients.operation.recorded.v1", ordered_consumer=True, deliver_policy=new
        )
        await correct(client, patient, address="東京都世田谷区二丁目", phone="03-1111-2222")
        await history_of(client, patient["id"], user="viewer1")
        envelope = json.loads((await events.next_msg(timeout=5)).data)
        while envelope["aggregate_id"] != patient["id"]:
            envelope = json.loads((await events.next_msg(timeout=5)).data)
        assert envelope["aggregate_version"] == 2
        assert envelope["payload"]["changed_fields"] == ["address", "phone"]
        assert envelope["payload"]["patient"]["address"] == "東京都世田谷区二丁目"
        wanted, seen = {("update", "patient"), ("read", "patient_history")}, set()
        while seen != wanted:  # times out unless both arrive
            payload = json.loads((await audits.next_msg(timeout=5)).data)["payload"]
            if payload["person_id"] == patient["id"]:
                seen |= {(payload["operation"], payload["record_type"])} & wanted
        await nc.close()


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
