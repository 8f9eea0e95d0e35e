"""Correcting a patient (修正): optimistic locking, the edit history it leaves, events and access levels."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import nats
import pytest
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]


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
