"""Contacts through the API: register, read, list per index patient, correct (409 on a stale version), end;
Japanese field errors that store nothing; audit and domain events; access refused without 接触者管理."""

import asyncio
import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import nats
import pytest
from tbms_contracts.contacts import ContactRegistered, ContactUpdated
from tbms_core.auth import Access, Area
from tbms_core.clock import today
from tbms_testing import auth_headers
from tbms_testing.keycloak_users import AccessUser, log_in_all

NATS_URL = "nats://127.0.0.1:54222"


def nurse() -> dict[str, str]:
    """The headers of the demo nurse (保健師: 接触者管理 更新)."""
    return auth_headers("nurse1")


def contact_body(index_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    """A synthetic household contact last seen 10 days ago."""
    exposure = {
        "index_patient_id": str(index_id),
        "setting": "household",
        "relation": "妻",
        "first_contact_on": (today() - timedelta(days=200)).isoformat(),
        "last_contact_on": (today() - timedelta(days=10)).isoformat(),
        "infectiousness": "high",
    }
    return {
        "name": "試験 花子",
        "name_kana": "ｼｹﾝ ﾊﾅｺ",
        "sex": "female",
        "birth_date": "S55.4.1",
        "address": "東京都世田谷区試験町1-2-3",
        "exposures": [exposure],
        **changes,
    }


async def register(client: httpx.AsyncClient, index_id: uuid.UUID, **changes: Any) -> dict[str, Any]:
    """Registers a contact as nurse1 and returns it."""
    response = await client.post("/contacts", json=contact_body(index_id, **changes), headers=nurse())
    assert response.status_code == 201, response.text
    return response.json()


class TestRegister:
    """POST /contacts and GET /contacts/{id}."""

    @pytest.mark.req("R12", "R15", partial=True)
    async def test_a_registered_contact_is_read_back_with_priority_and_plan(self, client, make_index_case) -> None:
        index_id = await make_index_case()
        created = await register(client, index_id)
        contact = (await client.get(f"/contacts/{created['id']}", headers=auth_headers("viewer1"))).json()
        assert contact["name"] == "試験 花子" and contact["name_kana"] == "シケン ハナコ"
        assert contact["birth_date"] == "1980-04-01" and contact["version"] == 1
        exposure = contact["exposures"][0]
        assert exposure["index_patient_name"] == "試験 発端" and exposure["setting"] == "household"
        assert exposure["exposure_class"]["value"] == "close"
        assert contact["priority"]["value"] == "top" and contact["priority"]["label"] == "最優先"
        assert "未確認" in contact["priority"]["suggested"]["basis"]
        window = (today() - timedelta(days=10) + timedelta(weeks=8)).isoformat()
        igra = [d for d in contact["plan"] if d["kind"] == "igra"]
        assert [(d["step"], d["due_on"]) for d in igra] == [("baseline", today().isoformat()), ("after_window", window)]
        assert contact["next_due"]["step"] == "baseline" and contact["next_due"]["why"]

    async def test_a_contact_of_an_unknown_index_patient_is_refused_in_japanese(self, client) -> None:
        response = await client.post("/contacts", json=contact_body(uuid.uuid4()), headers=nurse())
        assert response.status_code == 422
        assert "発端患者が見つかりません" in response.json()["errors"]["exposures.0.index_patient_id"]

    @pytest.mark.req("R12", partial=True)
    async def test_bad_input_gets_japanese_field_messages_and_stores_nothing(self, client, make_index_case) -> None:
        index_id = await make_index_case()
        body = contact_body(index_id, name="", name_kana="Shiken", birth_date="令和99年1月1日")
        body["exposures"][0]["last_contact_on"] = (today() + timedelta(days=3)).isoformat()
        response = await client.post("/contacts", json=body, headers=nurse())
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert errors["name"] == "入力してください。"
        assert "カタカナ" in errors["name_kana"]
        assert "未来" in errors["exposures.0.last_contact_on"]
        assert "birth_date" in errors
        listed = await client.get("/contacts", params={"index_patient_id": str(index_id)}, headers=nurse())
        assert listed.json()["total"] == 0

    async def test_a_contact_elsewhere_needs_the_municipality(self, client, make_index_case) -> None:
        body = contact_body(await make_index_case(), residence="elsewhere")
        response = await client.post("/contacts", json=body, headers=nurse())
        assert response.status_code == 422 and "市区町村名" in json.dumps(response.json(), ensure_ascii=False)


class TestList:
    """GET /contacts?index_patient_id=…."""

    @pytest.mark.req("R12", partial=True)
    async def test_contacts_are_listed_per_index_patient(self, client, make_index_case) -> None:
        first, second = await make_index_case(), await make_index_case("試験 次郎")
        await register(client, first, name="試験 一郎")
        await register(client, first, name="試験 二郎")
        await register(client, second, name="試験 三郎")
        listed = (await client.get("/contacts", params={"index_patient_id": str(first)}, headers=nurse())).json()
        assert listed["total"] == 2
        assert sorted(c["name"] for c in listed["items"]) == ["試験 一郎", "試験 二郎"]

    @pytest.mark.req("R12", partial=True)
    async def test_one_contact_of_two_index_patients_is_listed_under_both(self, client, make_index_case) -> None:
        first, second = await make_index_case(), await make_index_case("試験 次郎")
        contact = await register(client, first)
        exposure = {"index_patient_id": str(second), "setting": "workplace", "hours": 3}
        added = await client.post(
            f"/contacts/{contact['id']}/exposures", json={"version": 1, "exposure": exposure}, headers=nurse()
        )
        assert added.status_code == 201, added.text
        assert added.json()["version"] == 2 and len(added.json()["exposures"]) == 2
        for index_id in (first, second):
            listed = (await client.get("/contacts", params={"index_patient_id": str(index_id)}, headers=nurse())).json()
            assert [c["id"] for c in listed["items"]] == [contact["id"]]
        again = await client.post(
            f"/contacts/{contact['id']}/exposures", json={"version": 2, "exposure": exposure}, headers=nurse()
        )
        assert again.status_code == 409 and "すでに" in again.json()["detail"]


class TestCorrect:
    """PATCH /contacts/{id} and its exposures: optimistic concurrency, history, the plan following the dates."""

    @pytest.mark.req("R12", partial=True)
    async def test_a_correction_is_saved_with_its_history(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        change = {
            "version": 1,
            "changes": {"phone": "03-0000-0000", "address": "東京都世田谷区試験町9"},
            "reason": "転居",
        }
        saved = await client.patch(f"/contacts/{contact['id']}", json=change, headers=nurse())
        assert saved.status_code == 200 and saved.json()["version"] == 2
        assert saved.json()["address"] == "東京都世田谷区試験町9"
        history = (await client.get(f"/contacts/{contact['id']}/history", headers=nurse())).json()["items"]
        assert history[0]["reason"] == "転居"
        assert history[0]["changes"]["address"] == ["東京都世田谷区試験町1-2-3", "東京都世田谷区試験町9"]

    @pytest.mark.req("R12", partial=True)
    async def test_a_stale_version_is_refused_with_409_in_japanese_and_changes_nothing(
        self, client, make_index_case
    ) -> None:
        contact = await register(client, await make_index_case())
        url = f"/contacts/{contact['id']}"
        assert (
            await client.patch(url, json={"version": 1, "changes": {"phone": "03-1"}}, headers=nurse())
        ).status_code == 200
        stale = await client.patch(url, json={"version": 1, "changes": {"phone": "03-2"}}, headers=nurse())
        assert stale.status_code == 409 and "他の利用者" in stale.json()["detail"]
        assert (await client.get(url, headers=nurse())).json()["phone"] == "03-1"

    @pytest.mark.req("R12", partial=True)
    async def test_overriding_the_priority_needs_a_reason_and_keeps_the_suggestion(
        self, client, make_index_case
    ) -> None:
        contact = await register(client, await make_index_case())
        url = f"/contacts/{contact['id']}"
        refused = await client.patch(url, json={"version": 1, "changes": {"priority_override": "low"}}, headers=nurse())
        assert refused.status_code == 422 and "理由" in refused.json()["errors"]["priority_reason"]
        change = {"priority_override": "low", "priority_reason": "接触は玄関先のみと判明"}
        saved = (await client.patch(url, json={"version": 1, "changes": change}, headers=nurse())).json()
        assert saved["priority"]["value"] == "low" and saved["priority"]["suggested"]["value"] == "top"
        assert saved["priority"]["override_reason"] == "接触は玄関先のみと判明"

    @pytest.mark.req("R13", partial=True)
    async def test_changing_the_last_contact_date_moves_the_plan(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        exposure_id = contact["exposures"][0]["id"]
        last = today() - timedelta(days=3)
        change = {"version": 1, "changes": {"last_contact_on": last.isoformat()}}
        saved = await client.patch(f"/contacts/{contact['id']}/exposures/{exposure_id}", json=change, headers=nurse())
        assert saved.status_code == 200, saved.text
        window = next(d for d in saved.json()["plan"] if d["step"] == "after_window")
        assert window["due_on"] == (last + timedelta(weeks=8)).isoformat()

    async def test_ending_a_contact_keeps_the_record_and_closes_the_plan(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        url = f"/contacts/{contact['id']}/end"
        body = {"version": 1, "ended_on": today().isoformat(), "reason": "excluded", "note": "接触なしと判明"}
        ended = (await client.post(url, json=body, headers=nurse())).json()
        assert ended["status"] == "ended" and ended["end_reason"] == "excluded" and ended["next_due"] is None
        again = await client.post(url, json={**body, "version": 2}, headers=nurse())
        assert again.status_code == 409 and "終了" in again.json()["detail"]


class TestEventsAndAudit:
    """What registration and reading leave behind on NATS."""

    async def test_registration_and_correction_are_published_with_snapshots(self, client, make_index_case) -> None:
        nc = await nats.connect(NATS_URL)
        new = nats.js.api.DeliverPolicy.NEW
        registered = await nc.jetstream().subscribe(ContactRegistered.TYPE, ordered_consumer=True, deliver_policy=new)
        updated = await nc.jetstream().subscribe(ContactUpdated.TYPE, ordered_consumer=True, deliver_policy=new)
        contact = await register(client, await make_index_case())
        await client.patch(
            f"/contacts/{contact['id']}", json={"version": 1, "changes": {"phone": "03-9"}}, headers=nurse()
        )
        envelope = json.loads((await registered.next_msg(timeout=10)).data)
        while envelope["aggregate_id"] != contact["id"]:
            envelope = json.loads((await registered.next_msg(timeout=10)).data)
        snapshot = envelope["payload"]["contact"]
        assert (
            snapshot["priority"] == "top"
            and snapshot["deadlines"]
            and snapshot["exposures"][0]["setting"] == "household"
        )
        envelope = json.loads((await updated.next_msg(timeout=10)).data)
        while envelope["aggregate_id"] != contact["id"]:
            envelope = json.loads((await updated.next_msg(timeout=10)).data)
        assert envelope["aggregate_version"] == 2 and envelope["payload"]["changed_fields"] == ["contact.phone"]
        await nc.close()

    @pytest.mark.req("N05", partial=True)
    async def test_reading_a_contact_emits_an_audit_event_naming_the_person(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        nc = await nats.connect(NATS_URL)
        sub = await nc.jetstream().subscribe(
            "tbms.audit.contacts.operation.recorded.v1",
            ordered_consumer=True,
            deliver_policy=nats.js.api.DeliverPolicy.NEW,
        )
        await client.get(f"/contacts/{contact['id']}", headers=auth_headers("viewer1"))
        payload = json.loads((await sub.next_msg(timeout=10)).data)["payload"]
        while (payload["person_id"], payload["operation"]) != (contact["id"], "read"):
            payload = json.loads((await sub.next_msg(timeout=10)).data)["payload"]
        assert payload["username"] == "viewer1" and payload["record_type"] == "contact"
        await nc.close()


class TestAccess:
    """接触者管理: 参照 reads, 更新 writes, 使用不可 neither."""

    @pytest.mark.req("R12", partial=True)
    async def test_a_user_without_the_contacts_area_is_refused(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        patients_only = AccessUser.of({Area.PATIENTS: Access.UPDATE})
        token = (await asyncio.to_thread(log_in_all, [patients_only]))[patients_only]
        headers = {"Authorization": f"Bearer {token}"}
        for answer in (
            await client.get(f"/contacts/{contact['id']}", headers=headers),
            await client.get("/contacts", headers=headers),
            await client.post("/contacts", json={}, headers=headers),
        ):
            assert answer.status_code == 403 and "「接触者管理」" in answer.json()["detail"]

    async def test_a_reader_may_read_but_not_write(self, client, make_index_case) -> None:
        contact = await register(client, await make_index_case())
        viewer = auth_headers("viewer1")
        assert (await client.get(f"/contacts/{contact['id']}", headers=viewer)).status_code == 200
        refused = await client.patch(f"/contacts/{contact['id']}", json={}, headers=viewer)
        assert refused.status_code == 403 and "更新権限" in refused.json()["detail"]
