"""Configurable fields (R33): administrators add items without code; records carry, check, version and publish them."""

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import nats
import pytest
from tbms_core.clock import today
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
PATIENT = {"name": "項目 太郎", "name_kana": "コウモク タロウ", "sex": "male", "birth_date": "S50.1.1"}
CHOICES = [
    {"value": "office", "label": "事務職"},
    {"value": "care", "label": "介護職"},
    {"value": "other", "label": "その他"},
]


def unique(key: str) -> str:
    """A key no other test uses (definitions outlive a test: they share the session's database)."""
    return f"{key}_{uuid.uuid4().hex[:8]}"


async def define(client: httpx.AsyncClient, user: str = "admin1", **fields: Any) -> httpx.Response:
    """Adds a field definition as a demo user (default: the administrator)."""
    body = {"target": "patient", "type": "text", **fields}
    body.setdefault("key", unique("item"))
    body.setdefault("label", "追加項目")
    return await client.post("/custom-fields", json=body, headers=auth_headers(user))


async def defined(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """A new definition, which must be accepted."""
    response = await define(client, **fields)
    assert response.status_code == 201, response.text
    return response.json()


async def deactivate(client: httpx.AsyncClient, definition: dict[str, Any]) -> dict[str, Any]:
    """Stops using a field from today on, from its current version."""
    current = (await client.get(f"/custom-fields/{definition['id']}", headers=auth_headers("admin1"))).json()
    body = {"version": current["version"], "reason": "様式改正"}
    response = await client.post(
        f"/custom-fields/{definition['id']}/deactivate", json=body, headers=auth_headers("admin1")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def active_keys(client: httpx.AsyncClient, target: str = "patient") -> list[str]:
    """The keys a form shows today, in form order."""
    params = {"target": target, "active_on": today().isoformat()}
    response = await client.get("/custom-fields", params=params, headers=auth_headers("nurse1"))
    assert response.status_code == 200
    return [item["key"] for item in response.json()["items"]]


async def register(client: httpx.AsyncClient, custom: dict[str, Any]) -> httpx.Response:
    """Registers a patient with configurable values as a nurse."""
    return await client.post("/patients", json={**PATIENT, "custom": custom}, headers=auth_headers("nurse1"))


async def correct(client: httpx.AsyncClient, patient: dict[str, Any], **changes: Any) -> httpx.Response:
    """PATCHes a patient from the version it was read at."""
    body = {"version": patient["version"], "changes": changes}
    return await client.patch(f"/patients/{patient['id']}", json=body, headers=auth_headers("nurse1"))


async def view(client: httpx.AsyncClient, patient_id: str) -> dict[str, Any]:
    """The patient as GET returns it."""
    return (await client.get(f"/patients/{patient_id}", headers=auth_headers("viewer1"))).json()


async def history_of(client: httpx.AsyncClient, path: str, user: str = "viewer1") -> list[dict[str, Any]]:
    """An edit history as the API returns it, newest first."""
    response = await client.get(f"{path}/history", headers=auth_headers(user))
    assert response.status_code == 200, response.text
    return response.json()["items"]


@asynccontextmanager
async def subscribed(subject: str) -> AsyncIterator[Callable[[str], Awaitable[dict[str, Any]]]]:
    """Collects new messages of a subject; yields `next_for(id)`: the next payload about that record or person."""
    nc = await nats.connect("nats://127.0.0.1:54222")
    sub = await nc.jetstream().subscribe(subject, ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.NEW)

    async def next_for(record_id: str) -> dict[str, Any]:
        while True:  # times out unless it arrives
            envelope = json.loads((await sub.next_msg(timeout=5)).data)
            if record_id in (envelope["aggregate_id"], envelope["payload"].get("person_id")):
                return envelope["payload"]

    try:
        yield next_for
    finally:
        await nc.close()


@pytest.mark.req("R33", partial=True)
class TestDefine:
    """POST /custom-fields, GET /custom-fields."""

    async def test_fields_of_every_type_are_defined_and_forms_list_those_in_use_in_order(
        self, client: httpx.AsyncClient
    ) -> None:
        keys = {kind: unique(kind) for kind in ("text", "number", "date", "choice", "multi_choice", "yes_no")}
        for order, (kind, key) in enumerate(keys.items()):
            choices = CHOICES if "choice" in kind else []
            await defined(client, key=key, type=kind, label=f"項目{order}", choices=choices, sort_order=9000 + order)
        later = await defined(client, sort_order=9100, active_from=(today() + timedelta(days=1)).isoformat())
        shown = await active_keys(client)
        assert [key for key in shown if key in keys.values()] == list(keys.values())
        assert later["key"] not in shown and later["active"] is False
        everything = (await client.get("/custom-fields", headers=auth_headers("viewer1"))).json()["items"]
        assert later["key"] in [item["key"] for item in everything]
        choice = next(item for item in everything if item["key"] == keys["choice"])
        assert choice["type_label"] == "選択（1つ）" and choice["target_label"] == "基本情報"
        assert choice["choices"] == CHOICES and choice["active"] is True

    async def test_dates_of_the_period_are_accepted_in_wareki(self, client: httpx.AsyncClient) -> None:
        definition = await defined(client, active_from="R9.4.1", active_to="令和10年3月31日")
        assert (definition["active_from"], definition["active_to"]) == ("2027-04-01", "2028-03-31")

    async def test_a_key_is_unique_per_kind_of_record_and_written_in_ascii(self, client: httpx.AsyncClient) -> None:
        first = await defined(client)
        taken = await define(client, key=first["key"])
        assert taken.status_code == 409 and taken.json()["code"] == "field_key_taken"
        assert (await define(client, key=first["key"], target="lab_result")).status_code == 201
        kanji = await define(client, key="勤務先")
        assert kanji.status_code == 422 and "半角英小文字" in kanji.json()["errors"]["key"]

    async def test_choice_fields_need_choices_and_others_take_none(self, client: httpx.AsyncClient) -> None:
        missing = await define(client, type="multi_choice")
        assert missing.status_code == 422 and "選択肢を1つ以上" in json.dumps(missing.json(), ensure_ascii=False)
        assert (await define(client, type="number", choices=CHOICES)).status_code == 422
        doubled = await define(client, type="choice", choices=[CHOICES[0], CHOICES[0]])
        assert doubled.status_code == 422 and "重複" in doubled.json()["errors"]["choices"]

    async def test_only_master_administrators_define_fields_but_any_patient_reader_lists_them(
        self, client: httpx.AsyncClient
    ) -> None:
        refused = await define(client, user="nurse1")
        assert refused.status_code == 403
        assert refused.json()["detail"] == "「マスタ管理」の更新権限がありません。管理者に確認してください。"
        assert (await client.get("/custom-fields", headers=auth_headers("clerk1"))).status_code == 200


@pytest.mark.req("R33", partial=True)
class TestChangeDefinition:
    """PATCH /custom-fields/{id}, POST /custom-fields/{id}/deactivate, GET /custom-fields/{id}/history."""

    async def test_a_change_is_versioned_audited_and_kept_in_the_definitions_history(
        self, client: httpx.AsyncClient
    ) -> None:
        async with subscribed("tbms.audit.patients.operation.recorded.v1") as audited:
            definition = await defined(client, type="choice", label="勤務形態", choices=CHOICES[:2])
            assert (await audited(definition["id"]))["operation"] == "create"
            body = {"version": 1, "changes": {"label": "就労形態", "choices": CHOICES}, "reason": "様式改正"}
            path = f"/custom-fields/{definition['id']}"
            changed = await client.patch(path, json=body, headers=auth_headers("admin1"))
            assert changed.status_code == 200 and changed.json()["version"] == 2
            update = await audited(definition["id"])
        assert (update["operation"], update["record_type"]) == ("update", "field_definition")
        assert update["detail"] == f"patient.{definition['key']}"
        newest, created = await history_of(client, path, user="admin1")
        assert newest["record_label"] == "項目定義" and newest["reason"] == "様式改正"
        changes = {c["label"]: (c["old"], c["new"]) for c in newest["changes"]}
        assert changes == {
            "項目名": ("勤務形態", "就労形態"),
            "選択肢": ("事務職（office）、介護職（care）", "事務職（office）、介護職（care）、その他（other）"),
        }
        assert created["version"] == 1 and {c["label"] for c in created["changes"]} >= {"項目名", "必須"}

    async def test_a_change_from_a_stale_version_is_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient
    ) -> None:
        definition = await defined(client, label="初回")
        path = f"/custom-fields/{definition['id']}"
        first = {"version": 1, "changes": {"help_text": "説明"}}
        assert (await client.patch(path, json=first, headers=auth_headers("admin1"))).status_code == 200
        stale = {"version": 1, "changes": {"label": "後から"}}
        refused = await client.patch(path, json=stale, headers=auth_headers("admin1"))
        assert refused.status_code == 409 and refused.json()["code"] == "version_conflict"
        stored = (await client.get(path, headers=auth_headers("admin1"))).json()
        assert stored["label"] == "初回" and stored["version"] == 2 and stored["help_text"] == "説明"

    async def test_key_and_type_cannot_be_changed_and_the_period_must_not_end_before_it_starts(
        self, client: httpx.AsyncClient
    ) -> None:
        definition = await defined(client, active_from="2026-04-01")
        path = f"/custom-fields/{definition['id']}"
        body = {"version": 1, "changes": {"key": "renamed", "type": "number"}}
        response = await client.patch(path, json=body, headers=auth_headers("admin1"))
        assert response.status_code == 422 and "変更できません" in response.json()["errors"]["changes"]
        stored = (await client.get(path, headers=auth_headers("admin1"))).json()
        assert (stored["key"], stored["type"], stored["version"]) == (definition["key"], "text", 1)
        reversed_ = {"version": 1, "changes": {"active_to": "2026-03-31"}}
        refused = await client.patch(path, json=reversed_, headers=auth_headers("admin1"))
        assert refused.status_code == 422 and "適用終了日" in refused.json()["errors"]["changes.active_to"]

    async def test_a_nurse_cannot_change_a_definition(self, client: httpx.AsyncClient) -> None:
        definition = await defined(client)
        body = {"version": 1, "changes": {"label": "変更"}}
        response = await client.patch(f"/custom-fields/{definition['id']}", json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 403


@pytest.mark.req("R33", partial=True)
class TestPatientValues:
    """POST /patients and PATCH /patients/{id} with `custom`."""

    async def test_values_of_every_type_are_stored_shown_and_carried_in_the_event(
        self, client: httpx.AsyncClient
    ) -> None:
        keys = {kind: unique(kind) for kind in ("text", "number", "date", "choice", "multi_choice", "yes_no")}
        for kind, key in keys.items():
            await defined(client, key=key, type=kind, choices=CHOICES if "choice" in kind else [])
        typed = {"text": "ｶﾌﾞｼｷｶﾞｲｼｬ試験", "number": "１２", "date": "R7.4.1", "choice": "care"}
        typed |= {"multi_choice": ["other", "office"], "yes_no": "はい"}
        async with subscribed("tbms.patients.patient.registered.v1") as registered:
            response = await register(client, {keys[kind]: value for kind, value in typed.items()})
            assert response.status_code == 201, response.text
            patient = response.json()
            event = await registered(patient["id"])
        expected = {
            keys["text"]: "カブシキガイシャ試験",
            keys["number"]: 12,
            keys["date"]: "2025-04-01",
            keys["choice"]: "care",
            keys["multi_choice"]: ["office", "other"],
            keys["yes_no"]: True,
        }
        assert patient["custom"] == expected
        assert (await view(client, patient["id"]))["custom"] == expected
        assert event["patient"]["custom"] == expected

    async def test_each_invalid_value_gets_a_japanese_message_and_nothing_is_stored(
        self, client: httpx.AsyncClient
    ) -> None:
        number = await defined(client, type="number", label="体重")
        day = await defined(client, type="date", label="確認日")
        before = (await client.get("/patients", headers=auth_headers("nurse1"))).json()["total"]
        response = await register(client, {number["key"]: "六十", day["key"]: "H31.5.1", "unknown_key": "x"})
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert errors[f"custom.{number['key']}"] == "数値で入力してください。"
        assert "平成" in errors[f"custom.{day['key']}"]
        assert errors["custom.unknown_key"] == "この項目は定義されていません。"
        assert (await client.get("/patients", headers=auth_headers("nurse1"))).json()["total"] == before

    async def test_a_required_field_is_required_only_while_it_is_in_use(self, client: httpx.AsyncClient) -> None:
        # in use from today only: once stopped it was never in force, so no other test registering a patient on an
        # earlier day (in this session's database) meets a required item it does not know about
        required = await defined(client, label="届出様式番号", required=True, active_from=today().isoformat())
        try:
            missing = await register(client, {})
            assert missing.status_code == 422
            assert missing.json()["errors"] == {f"custom.{required['key']}": "「届出様式番号」は必須項目です。"}
            assert (await register(client, {required["key"]: "第1号"})).status_code == 201
        finally:
            await deactivate(client, required)
        assert (await register(client, {})).status_code == 201

    async def test_a_deactivated_field_is_hidden_from_forms_but_its_values_are_kept(
        self, client: httpx.AsyncClient
    ) -> None:
        definition = await defined(client, label="旧様式の項目")
        patient = (await register(client, {definition["key"]: "記入済み"})).json()
        stopped = await deactivate(client, definition)
        assert stopped["active"] is False and stopped["active_to"] == (today() - timedelta(days=1)).isoformat()
        assert definition["key"] not in await active_keys(client)
        assert (await view(client, patient["id"]))["custom"] == {definition["key"]: "記入済み"}
        saved = await correct(client, patient, address="東京都世田谷区", custom=patient["custom"])
        assert saved.status_code == 200 and saved.json()["custom"] == {definition["key"]: "記入済み"}
        refused = await correct(client, saved.json(), custom={definition["key"]: "書き換え"})
        assert refused.status_code == 422
        assert refused.json()["errors"] == {
            f"custom.{definition['key']}": "「旧様式の項目」は現在使用されていないため変更できません。"
        }

    async def test_the_history_shows_changed_values_under_the_fields_label(self, client: httpx.AsyncClient) -> None:
        job = await defined(client, type="choice", label="職種", choices=CHOICES)
        consent = await defined(client, type="yes_no", label="服薬支援の同意")
        patient = (await register(client, {job["key"]: "office"})).json()
        async with subscribed("tbms.patients.patient.updated.v1") as updated:
            response = await correct(client, patient, custom={job["key"]: "care", consent["key"]: False})
            assert response.status_code == 200 and response.json()["version"] == 2
            event = await updated(patient["id"])
        assert event["patient"]["custom"] == {job["key"]: "care", consent["key"]: False}
        (entry,) = await history_of(client, f"/patients/{patient['id']}")
        changes = {c["label"]: (c["field"], c["old"], c["new"]) for c in entry["changes"]}
        assert changes == {
            "職種": (f"custom.{job['key']}", "事務職", "介護職"),
            "服薬支援の同意": (f"custom.{consent['key']}", "（空欄）", "いいえ"),
        }


@pytest.mark.req("R33", partial=True)
class TestLabResultValues:
    """POST and PATCH /patients/{id}/lab-results with `custom`."""

    async def test_a_results_values_are_checked_stored_published_and_kept_in_the_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        definition = await defined(client, target="lab_result", type="number", label="検体量（mL）")
        patient = await make_patient()
        path = f"/patients/{patient['id']}/lab-results"
        body = {"kind": "smear", "specimen": "喀痰", "collected_on": "R8.10.1", "details": {"grade": "1+"}}
        wrong = await client.post(
            path, json={**body, "custom": {definition["key"]: "多め"}}, headers=auth_headers("nurse1")
        )
        assert wrong.status_code == 422 and f"custom.{definition['key']}" in wrong.json()["errors"]
        async with subscribed("tbms.patients.lab_result.>") as published:
            created = await client.post(
                path, json={**body, "custom": {definition["key"]: "3"}}, headers=auth_headers("nurse1")
            )
            assert created.status_code == 201 and created.json()["custom"] == {definition["key"]: 3}
            assert (await published(created.json()["id"]))["lab_result"]["custom"] == {definition["key"]: 3}
            change = {"version": 1, "changes": {"custom": {definition["key"]: "5.5"}}}
            corrected = await client.patch(
                f"{path}/{created.json()['id']}", json=change, headers=auth_headers("nurse1")
            )
            assert corrected.status_code == 200
            event = await published(created.json()["id"])
        assert event["lab_result"]["custom"] == {definition["key"]: 5.5} and event["changed_fields"] == ["custom"]
        (entry,) = await history_of(client, f"/patients/{patient['id']}")
        assert entry["record_label"] == "菌検査"
        assert [(c["label"], c["old"], c["new"]) for c in entry["changes"]] == [("検体量（mL）", "3", "5.5")]
