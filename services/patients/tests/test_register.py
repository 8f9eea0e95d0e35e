"""Registering a patient: normalised input, Japanese errors, access levels, and the events it leaves behind."""

import asyncio
import json

import httpx
import nats
import pytest
from tbms_testing import auth_headers

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
