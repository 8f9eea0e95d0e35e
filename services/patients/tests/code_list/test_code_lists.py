"""The code lists of the forms come from masters' コード表 (R25): patients keeps the entries its lists use from
MasterChanged (through the inbox, the newest version wins), falls back to the built-in lists until masters has
sent anything, offers at GET /reference/card the codes in force on a day, and checks every code it is given
against the codes in force on the record's date, with a Japanese message beside the field for any other.

The events are built exactly as masters' MasterService builds them (tbms_contracts.masters) and published to
the real JetStream, as masters' outbox relay does (masters' own tests prove it publishes them)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from patients.code_list.defaults import CARD_NAMES, DEFAULTS, NAMES
from patients.code_list.repository import CodeEntryRepository
from sqlalchemy import text
from tbms_contracts.code_lists import SEEDED, seeded_order
from tbms_contracts.masters import MasterChanged, MasterSnapshot, record_id
from tbms_core.clock import today
from tbms_core.events import Envelope
from tbms_core.jp.wareki import format_wareki
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
Claimed = Callable[[uuid.UUID], Awaitable[bool]]
SINCE = date(2020, 4, 1)
WAIT = 30  # seconds an event may take through JetStream on a busy machine


def code_event(
    name: str,
    value: str,
    label: str,
    version: int = 1,
    *,
    sort_order: int | None = None,
    valid_from: date = SINCE,
    valid_to: date | None = None,
) -> Envelope:
    """MasterChanged of a コード表 entry as masters sends it after a create (version 1), a change or an end."""
    code = f"{name}:{value}"
    data = {"list": name, "value": value, "label": label, "sort_order": sort_order}
    snapshot = MasterSnapshot(
        kind="code", code=code, name=label, data=data, valid_from=valid_from, valid_to=valid_to, version=version
    )
    event = MasterChanged(kind="code", code=code, snapshot=snapshot)
    return Envelope.of(event, aggregate_id=record_id("code", code), version=version, actor="test")


def fresh(prefix: str = "t") -> str:
    """A code value no other test run uses."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


async def card(client: httpx.AsyncClient, on: date | None = None) -> dict[str, dict[str, str]]:
    """GET /reference/card as a read-only member of staff."""
    params = {"on": on.isoformat()} if on else {}
    response = await client.get("/reference/card", params=params, headers=auth_headers("viewer1"))
    assert response.status_code == 200, response.text
    return response.json()


async def offered(client: httpx.AsyncClient, name: str, value: str) -> bool:
    """True once the form's list offers the code."""
    return value in (await card(client))[name]


@pytest.fixture(scope="session")
def claimed(client: httpx.AsyncClient) -> Claimed:
    """True once the service's consumer has taken an event into its inbox (applied or skipped)."""

    async def _claimed(event_id: uuid.UUID) -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            found = await session.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id})
        return bool(found)

    return _claimed


async def register(client: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    """Registers a synthetic patient as nurse1."""
    body = {"name": "試験 職業", "name_kana": "シケン ショクギョウ", "sex": "female", "birth_date": "S50.5.5"}
    return await client.post("/patients", json=body | fields, headers=auth_headers("nurse1"))


# How a record takes a code of each list: the path, the body around the code, and the field its message is beside.
def _uses(name: str, value: str) -> tuple[str, dict[str, Any], str]:
    day = "R8.4.1"
    if name == "specimen":
        body = {"kind": "smear", "specimen": value, "collected_on": day, "details": {"grade": "1+"}}
        return "lab-results", body, name
    if name == "drug":
        body = {"kind": "dst", "specimen": "喀痰", "collected_on": day, "details": {"results": {value: "R"}}}
        return "lab-results", body, "details.results"
    if name == "regimen":
        return "treatments", {"regimen": value, "started_on": day}, name
    return "exclusion", {"excluded_on": today().isoformat(), "reason": value}, "reason"


async def use(client: httpx.AsyncClient, patient: dict[str, Any], name: str, value: str) -> httpx.Response:
    """Records something of the patient with the code (an occupation is a registration of its own)."""
    if name == "occupation":
        return await register(client, occupation=value, registered_on="R8.4.1")
    path, body, _ = _uses(name, value)
    if path == "exclusion":
        body["version"] = patient["version"]
    return await client.post(f"/patients/{patient['id']}/{path}", json=body, headers=auth_headers("nurse1"))


def field_of(name: str) -> str:
    """The field whose message names a wrong code of the list."""
    return "occupation" if name == "occupation" else _uses(name, "x")[2]


class TestBuiltInLists:
    """Until masters sends a change the forms keep the lists they had: the ones masters' migration seeds."""

    @pytest.mark.req("R25", partial=True)
    def test_the_built_in_lists_are_the_codes_masters_seeds_with_the_same_labels_and_order(self) -> None:
        assert set(NAMES) <= set(SEEDED)
        for name in NAMES:
            assert list(DEFAULTS[name].items()) == list(SEEDED[name].items()), name

    async def test_the_card_lists_offer_the_seeded_codes_in_order(self, client: httpx.AsyncClient) -> None:
        lists = await card(client)
        for name in CARD_NAMES:
            seeded = [value for value in lists[name] if value in SEEDED[name]]
            assert seeded == list(SEEDED[name]), name
        assert lists["occupation"]["healthcare"] == "医療従事者" and lists["regimen"]["6H"] == "6H（LTBI）"


class TestAddedInMasters:
    """A code added in マスタ管理 becomes selectable, in its place, and records accept it."""

    @pytest.mark.req("R25", partial=True)
    # a 検査種別 added in マスタ管理 alone has no items to record (the gateway offers only the kinds it has items for)
    @pytest.mark.parametrize("name", [n for n in CARD_NAMES if n != "exam_kind"])
    async def test_an_added_code_is_offered_in_its_place_and_accepted(
        self, client: httpx.AsyncClient, make_patient: MakePatient, name: str
    ) -> None:
        value = fresh("試験" if name == "specimen" else "T")
        label = f"試験{NAMES[name]}{value[-4:]}"
        patient = await make_patient()
        refused = await use(client, patient, name, value)
        assert refused.status_code == 422 and "コード表にありません" in refused.json()["errors"][field_of(name)]

        await publish(code_event(name, value, label, sort_order=seeded_order(0) + 5))
        await wait_for(lambda: offered(client, name, value), timeout=WAIT)

        choices = list((await card(client))[name])
        first = next(iter(SEEDED[name]))
        assert choices.index(value) == choices.index(first) + 1, "between the first and the second seeded code"
        assert (await card(client))[name][value] == label
        accepted = await use(client, patient, name, value)
        assert accepted.status_code in (200, 201), accepted.text


class TestHistory:
    """The edit history names a code added in マスタ管理 by its label, as the forms do."""

    @pytest.mark.req("R25", partial=True)
    async def test_a_correction_to_an_added_occupation_reads_by_its_label_in_the_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        value, label = fresh(), "試験追加職業"
        await publish(code_event("occupation", value, label))
        await wait_for(lambda: offered(client, "occupation", value), timeout=WAIT)
        patient = await make_patient(occupation="employee")
        change = {"version": patient["version"], "changes": {"occupation": value}, "reason": "職業の訂正（試験）"}
        saved = await client.patch(f"/patients/{patient['id']}", json=change, headers=auth_headers("nurse1"))
        assert saved.status_code == 200, saved.text

        history = await client.get(f"/patients/{patient['id']}/history", headers=auth_headers("nurse1"))
        [entry] = [item for item in history.json()["items"] if item["reason"] == "職業の訂正（試験）"]
        assert [(c["label"], c["old"], c["new"]) for c in entry["changes"]] == [
            ("職業区分", "被用者（常用勤労者）", label)
        ]

    @pytest.mark.req("R25", partial=True)
    async def test_the_treatment_export_names_an_added_regimen_by_its_label(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        value, label = fresh("R"), "試験追加レジメン"
        await publish(code_event("regimen", value, label))
        await wait_for(lambda: offered(client, "regimen", value), timeout=WAIT)
        place = f"出力{uuid.uuid4().hex[:8]}"
        patient = await make_patient(district=place)
        body = {"regimen": value, "started_on": "R8.4.1"}
        saved = await client.post(f"/patients/{patient['id']}/treatments", json=body, headers=auth_headers("nurse1"))
        assert saved.status_code == 201, saved.text
        params = {"target": "treatments", "district": place}
        exported = await client.get("/patients/export", params=params, headers=auth_headers("nurse1"))
        assert exported.status_code == 200
        assert f"{patient['registration_no']},{patient['name']},{label}," in exported.content.decode("utf-8-sig")


class TestEndedInMasters:
    """A code ended in マスタ管理 is no longer offered nor accepted for new dates; old records keep it and its
    label, and dates it was in force on still take it."""

    @pytest.mark.req("R25", partial=True)
    async def test_an_ended_code_leaves_the_choices_and_old_records_keep_its_label(
        self, client: httpx.AsyncClient, claimed: Claimed
    ) -> None:
        value, label = fresh("old"), "試験旧職業"
        await publish(code_event("occupation", value, label))
        await wait_for(lambda: offered(client, "occupation", value), timeout=WAIT)
        old = await register(client, occupation=value, registered_on="R7.4.1")
        assert old.status_code == 201, old.text

        yesterday = today() - timedelta(days=1)
        ended = code_event("occupation", value, label, version=2, valid_to=yesterday)
        await publish(ended)
        await wait_for(lambda: claimed(ended.event_id), timeout=WAIT)

        lists = await card(client)
        assert value not in lists["occupation"], "no longer offered"
        assert lists["former:occupation"][value] == label, "old records still read its label"
        assert value in (await card(client, on=date(2025, 4, 1)))["occupation"], "offered for a day it was in force"

        refused = await register(client, occupation=value)
        assert refused.status_code == 422
        assert refused.json()["errors"] == {
            "occupation": f"職業区分「{label}」は{format_wareki(today())}には使えません"
            "（マスタ管理のコード表で終了または開始前です）。選択肢から選んでください。"
        }
        back_dated = await register(client, occupation=value, registered_on="R7.5.1")
        assert back_dated.status_code == 201, "a registration dated while it was in force takes it"

        patient = old.json()
        kept = await client.patch(
            f"/patients/{patient['id']}",
            json={"version": patient["version"], "changes": {"address": "東京都世田谷区試験町9-9-9"}},
            headers=auth_headers("nurse1"),
        )
        assert kept.status_code == 200, kept.text
        assert kept.json()["occupation"] == value, "the old record keeps its code"

    async def test_an_older_snapshot_after_a_newer_one_is_ignored_and_a_repeat_applies_once(
        self, client: httpx.AsyncClient, claimed: Claimed
    ) -> None:
        value = fresh()
        newer = code_event("regimen", value, "試験レジメン（新）", version=2)
        await publish(newer)
        await wait_for(lambda: offered(client, "regimen", value), timeout=WAIT)
        stale = code_event("regimen", value, "試験レジメン（旧）", version=1, valid_to=SINCE)
        await publish(stale)
        await publish(newer, msg_id=uuid.uuid4().hex)  # the same event again, past JetStream's de-duplication
        await wait_for(lambda: claimed(stale.event_id), timeout=WAIT)

        assert (await card(client))["regimen"][value] == "試験レジメン（新）"
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            held = await session.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": newer.event_id})
        assert held == 1

    async def test_other_kinds_and_lists_patients_does_not_use_are_not_kept(
        self, client: httpx.AsyncClient, claimed: Claimed
    ) -> None:
        value = fresh()
        other_list = code_event("contact_setting", value, "試験の場")
        await publish(other_list)
        await wait_for(lambda: claimed(other_list.event_id), timeout=WAIT)
        assert all(value not in codes for codes in (await card(client)).values())


class TestUnknownCodes:
    """A code the コード表 does not hold is refused with a Japanese message beside its field; nothing is stored."""

    @pytest.mark.req("R25", partial=True)
    @pytest.mark.parametrize("name", [n for n in CARD_NAMES if n != "exam_kind"])  # a kind: the API's own values
    async def test_an_unknown_code_is_refused_beside_its_field(
        self, client: httpx.AsyncClient, make_patient: MakePatient, name: str
    ) -> None:
        patient = await make_patient()
        value = fresh("NO")
        refused = await use(client, patient, name, value)
        assert refused.status_code == 422
        assert refused.json()["errors"] == {
            field_of(name): f"{NAMES[name]}「{value}」はコード表にありません。選択肢から選んでください。"
        }
        after = (await client.get(f"/patients/{patient['id']}/record", headers=auth_headers("nurse1"))).json()
        assert after["patient"]["version"] == patient["version"] and after["lab_results"] == []
        assert all(items == [] for items in after["care"].values())

    async def test_a_drug_added_to_the_results_at_registration_is_checked_too(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        path = f"/patients/{patient['id']}/at-registration"
        value = fresh("NO")
        change = {"version": patient["version"], "changes": {"bacteriology": {"dst": {"INH": "S", value: "R"}}}}
        refused = await client.patch(path, json=change, headers=auth_headers("nurse1"))
        assert refused.status_code == 422
        assert refused.json()["errors"] == {
            "bacteriology.dst": f"薬剤「{value}」はコード表にありません。選択肢から選んでください。"
        }
        change["changes"]["bacteriology"]["dst"] = {"INH": "S", "RFP": "R"}
        assert (await client.patch(path, json=change, headers=auth_headers("nurse1"))).status_code == 200


async def dots_types(client: httpx.AsyncClient) -> dict[str, str]:
    """The DOTSの種類 the DOTS pages offer (GET /dots/settings)."""
    response = await client.get("/dots/settings", headers=auth_headers("viewer1"))
    assert response.status_code == 200, response.text
    return response.json()["dots_types"]


async def plan_labels(client: httpx.AsyncClient, patient_id: str) -> list[dict[str, str]]:
    """The labels of the patient's published DOTS plans, oldest first (the outbox)."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload->'payload'->'care_record'->'labels' FROM outbox "
                "WHERE subject = 'tbms.patients.care_record.saved.v1' "
                "AND payload->'payload'->'care_record'->>'patient_id' = :id "
                "AND payload->'payload'->'care_record'->>'kind' = 'dots_plan' ORDER BY created_at, id"
            ),
            {"id": patient_id},
        )
        return list(rows)


@pytest.mark.req("R25", "R07", partial=True)
class TestDotsTypes:
    """DOTSの種類 come from the コード表 too: a type added in マスタ管理 is offered, accepted and labelled."""

    async def test_a_dots_type_added_in_masters_is_offered_accepted_and_published_with_its_label(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        value, label = fresh("T"), "ビデオDOTS（試験）"
        plan = {"starts_on": "2026-05-01", "dots_type": value, "intensity": "B"}
        path = f"/patients/{patient['id']}/dots/plans"
        refused = await client.post(path, json=plan, headers=auth_headers("nurse1"))
        assert refused.status_code == 422
        assert refused.json()["errors"] == {
            "dots_type": f"DOTSの種類「{value}」はコード表にありません。選択肢から選んでください。"
        }

        await publish(code_event("dots_type", value, label))
        await wait_for(lambda: _has(dots_types(client), value), timeout=WAIT)
        assert (await dots_types(client))["visit"] == "訪問DOTS"  # the seeded ones stay
        accepted = await client.post(path, json=plan, headers=auth_headers("nurse1"))
        assert accepted.status_code == 201, accepted.text
        [labels] = await plan_labels(client, patient["id"])
        assert labels["dots_type"] == label

    async def test_the_settings_level_to_type_mapping_accepts_a_type_added_in_masters(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = auth_headers("admin1")
        value, label = fresh("L"), "オンラインDOTS（試験）"

        async def levels() -> dict[str, Any]:
            found = (await client.get("/dots/settings", headers=admin)).json()["items"]
            return next(item for item in found if item["key"] == "levels")

        before = await levels()
        wanted = before["value"] | {"suggested_types": before["value"]["suggested_types"] | {"C": value}}
        body = {"version": before["version"], "value": wanted, "reason": "試験"}
        refused = await client.put("/dots/settings/levels", json=body, headers=admin)
        assert refused.status_code == 422
        assert refused.json()["errors"] == {
            "value.suggested_types.C": f"DOTSの種類「{value}」はコード表にありません。選択肢から選んでください。"
        }
        assert (await levels())["version"] == before["version"], "nothing changed"

        await publish(code_event("dots_type", value, label))
        await wait_for(lambda: _has(dots_types(client), value), timeout=WAIT)
        saved = await client.put("/dots/settings/levels", json=body, headers=admin)
        assert saved.status_code == 200, saved.text
        assert saved.json()["value"]["suggested_types"]["C"] == value
        restore = {"version": saved.json()["version"], "value": before["value"], "reason": "試験の後片付け"}
        assert (await client.put("/dots/settings/levels", json=restore, headers=admin)).status_code == 200


async def _has(found: Awaitable[dict[str, str]], value: str) -> bool:
    return value in await found


class TestExamKind:
    """菌検査の検査種別 from the コード表: labels and order as masters gives them; a kind ended there is not offered
    nor accepted for a later collection date, and old results keep it. Written straight into this test's own
    database (an event about a real kind would reach every service listening to JetStream)."""

    async def hold(self, client: httpx.AsyncClient, version: int, label: str, valid_to: date | None) -> None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            values = {"list": "exam_kind", "value": "tst", "label": label, "sort_order": 70}
            await CodeEntryRepository(session).apply(
                values | {"valid_from": date(1900, 1, 1), "valid_to": valid_to}, version
            )
            await session.commit()

    @pytest.mark.req("R25", partial=True)
    async def test_an_ended_kind_leaves_the_choices_is_refused_for_later_dates_and_old_results_keep_it(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        assert (await card(client))["exam_kind"]["tst"] == "ツベルクリン反応"
        patient = await make_patient()
        url = f"/patients/{patient['id']}/lab-results"
        yesterday = today() - timedelta(days=1)
        old = {"kind": "tst", "collected_on": (yesterday - timedelta(days=30)).isoformat()}
        old["details"] = {"induration_mm": 12, "judgement": "陽性"}
        try:
            await self.hold(client, 10**6, "ツ反（旧）", yesterday)
            lists = await card(client)
            assert "tst" not in lists["exam_kind"] and lists["former:exam_kind"]["tst"] == "ツ反（旧）"
            refused = await client.post(
                url, json=old | {"collected_on": today().isoformat()}, headers=auth_headers("nurse1")
            )
            assert refused.status_code == 422, refused.text
            assert "使えません" in refused.json()["errors"]["kind"]
            back_dated = await client.post(url, json=old, headers=auth_headers("nurse1"))
            assert back_dated.status_code == 201, back_dated.text
        finally:
            await self.hold(client, 10**6 + 1, "ツベルクリン反応", None)
        assert (await card(client))["exam_kind"]["tst"] == "ツベルクリン反応"
