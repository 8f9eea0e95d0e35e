"""The 診査会 through the patients API: a session with its cases, decisions that assign 受給者番号 (never twice,
never reused, no gap, even when many clerks approve at once), refusals and withdrawals that issue nothing, the
患者票, the 勧告 with their periods, and the access area 診査会・公費 (R05, R29)."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import nats
import nats.js.api
import pytest
from tbms_core.jp.check_digits import has_valid_check_digit
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
CLERK, NURSE, VIEWER = LiveAuthHeaders("clerk1"), LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1")
PAYER_37_2 = "10131012"  # 法別10・東京13・実施機関101・検証番号
PAYER_37 = "11131011"
pytestmark = pytest.mark.req("R05", partial=True)


def payer(body: str) -> str:
    from tbms_core.jp.check_digits import modulus10_check_digit

    return f"{body}{modulus10_check_digit(body)}"


async def ok(response: httpx.Response, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.text
    return response.json()


async def session(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    members = [
        {"code": "M01", "name": "委員 一郎", "role": "chair", "present": True},
        {"code": "M02", "name": "委員 二郎", "role": "member", "present": True},
        {"code": "M03", "name": "委員 三子", "role": "member", "present": False},
    ]
    body = {"held_at": "2026-11-10T14:00:00+09:00", "place": "第1会議室", "members": members, "quorum": 2} | changes
    return await ok(await client.post("/board/sessions", json=body, headers=CLERK), 201)


async def case(client: httpx.AsyncClient, patient: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {
        "patient_id": patient["id"],
        "kind": "37-2_new",
        "received_on": "2026-08-31",
        "summary": "咳嗽2か月",
        "bacteriology": "喀痰塗抹 2+、培養陽性",
        "xray": "右上葉に空洞",
        "gakkai": "bII2",
        "treatment_plan": "2HREZ/4HR",
        "certificate_on": "2026-08-28",
        "institution": "試験病院",
    } | changes
    return await ok(await client.post("/board/cases", json=body, headers=CLERK), 201)


async def decide(client: httpx.AsyncClient, item: dict[str, Any], code: int = 200, **changes: Any) -> dict[str, Any]:
    body = {
        "version": item["version"],
        "decision": "approved",
        "decided_on": "2026-09-10",
        "payer_number": payer("1013101"),
    } | changes
    return await ok(await client.post(f"/board/cases/{item['id']}/decision", json=body, headers=CLERK), code)


class TestSession:
    """A session with members, quorum and its agenda of cases."""

    async def test_cases_on_the_agenda_show_patient_due_date_and_cover(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        meeting = await session(client)
        assert meeting["present"] == 2 and meeting["quorate"]
        patient = await make_patient()
        first = await case(client, patient, session_id=meeting["id"])
        second = await case(client, patient, session_id=meeting["id"], kind="art18", received_on="2026-09-01")
        detail = await ok(await client.get(f"/board/sessions/{meeting['id']}", headers=VIEWER))
        assert [c["id"] for c in detail["cases"]] == [first["id"], second["id"]]
        shown = detail["cases"][0]
        assert shown["patient"]["name"] == "試験 太郎" and shown["data"]["gakkai"] == "bII2"
        assert shown["decision_due"]["on"] == "2026-09-30"
        assert shown["cover"]["start"] == "2026-08-31" and shown["cover"]["end"] == "2027-02-28"
        assert "法20条" in detail["basis"]["admission_days"]

    async def test_minutes_need_the_version_seen(self, client: httpx.AsyncClient) -> None:
        meeting = await session(client)
        body = {"version": meeting["version"], "changes": {"minutes": "全件承認", "status": "held"}}
        saved = await ok(await client.patch(f"/board/sessions/{meeting['id']}", json=body, headers=CLERK))
        assert saved["minutes"] == "全件承認" and saved["status_label"] == "開催済み"
        stale = await client.patch(f"/board/sessions/{meeting['id']}", json=body, headers=CLERK)
        assert stale.status_code == 409


class TestDecision:
    """Approval assigns the number; refusal, deferral and withdrawal issue nothing."""

    @pytest.mark.req("R29")
    async def test_approval_assigns_a_checked_number_and_the_cover_from_receipt(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        decided = await decide(client, await case(client, patient))
        data = decided["data"]
        assert data["decision"] == "approved" and len(data["recipient_number"]) == 7
        assert has_valid_check_digit(data["recipient_number"]) and data["payer_number"].startswith("10")
        assert (data["valid_from"], data["valid_to"]) == ("2026-08-31", "2027-02-28")
        card = await ok(await client.get(f"/patients/{patient['id']}/public-expenses", headers=NURSE))
        assert card["items"][0]["data"]["recipient_number"] == data["recipient_number"]

    async def test_a_longer_or_earlier_period_than_the_rule_is_refused(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        item = await case(client, await make_patient())
        late = await decide(client, item, 422, valid_to="2027-03-01")
        assert "2027-02-28" in late["errors"]["valid_to"]
        early = await decide(client, item, 422, valid_from="2026-08-30")
        assert "valid_from" in early["errors"]

    async def test_the_payer_number_must_be_of_the_basis(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        item = await case(client, await make_patient())
        wrong = await decide(client, item, 422, payer_number=payer("1113101"))
        assert "法別番号「10」" in wrong["errors"]["payer_number"]

    async def test_continuation_before_expiry_follows_without_gap(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        await decide(client, await case(client, patient, received_on="2026-04-10"))
        following = await case(client, patient, kind="37-2_continuation", received_on="2026-09-20")
        assert following["cover"]["start"] == "2026-10-10"
        decided = await decide(client, following, decided_on="2026-10-01")
        assert (decided["data"]["valid_from"], decided["data"]["valid_to"]) == ("2026-10-10", "2027-04-09")

    @pytest.mark.req("R29")
    @pytest.mark.parametrize("decision", ["refused", "deferred"])
    async def test_refused_or_deferred_issues_no_number(
        self, client: httpx.AsyncClient, make_patient: MakePatient, decision: str
    ) -> None:
        before = (await ok(await client.get("/board/numbers", headers=VIEWER)))["last_serial"]
        decided = await decide(client, await case(client, await make_patient()), decision=decision)
        assert decided["data"]["recipient_number"] == "" and decided["data"]["valid_from"] is None
        after = await ok(await client.get("/board/numbers", headers=VIEWER))
        assert after["last_serial"] == before

    async def test_conditional_needs_its_conditions(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        refused = await decide(client, await case(client, await make_patient()), 422, decision="conditional")
        assert refused["errors"]["conditions"] == "条件付き承認のときは条件を入力してください。"

    @pytest.mark.req("R29")
    async def test_a_withdrawn_number_is_voided_and_never_handed_out_again(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        first = await decide(client, await case(client, patient))
        card = await ok(
            await client.post(f"/board/cases/{first['id']}/cards", json={"issued_on": "2026-09-12"}, headers=CLERK), 201
        )
        body = {"version": first["version"], "reason": "申請の取下げ"}
        withdrawn = await ok(await client.post(f"/board/cases/{first['id']}/withdrawal", json=body, headers=CLERK))
        assert withdrawn["data"]["decision"] == "withdrawn"
        second = await decide(client, await case(client, patient))
        assert second["data"]["recipient_number"] != first["data"]["recipient_number"]
        audit = await ok(await client.get("/board/numbers", headers=VIEWER))
        voided = {n["number"]: n for n in audit["items"]}[first["data"]["recipient_number"]]
        assert voided["voided_on"] and voided["void_reason"] == "申請の取下げ"
        assert audit["complete"]
        shown = await ok(await client.get(f"/patients/{patient['id']}/board", headers=VIEWER))
        assert {c["id"]: c["status"] for c in shown["cards"]}[card["id"]] == "void"
        expenses = await ok(await client.get(f"/patients/{patient['id']}/public-expenses", headers=NURSE))
        assert sorted(e["data"]["status"] for e in expenses["items"]) == ["approved", "withdrawn"]


@pytest.mark.req("R29")  # with test_payer_numbers.py: the 公費負担者番号 taken from masters
class TestConcurrentNumbers:
    """Many clerks approving at once never get the same number, and the serials run without a gap."""

    async def test_thirty_approvals_at_once(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        items = [await case(client, patient) for _ in range(30)]
        before = (await ok(await client.get("/board/numbers", headers=VIEWER)))["last_serial"]
        # one bad request in the crowd: it fails after nothing was assigned and leaves no gap
        bad = {"version": items[0]["version"], "decision": "approved", "decided_on": "2026-09-10", "payer_number": "1"}
        responses = await asyncio.gather(
            *(
                client.post(
                    f"/board/cases/{item['id']}/decision",
                    json={
                        "version": 1,
                        "decision": "approved",
                        "decided_on": "2026-09-10",
                        "payer_number": payer("1013101"),
                    },
                    headers=CLERK,
                )
                for item in items[1:]
            ),
            client.post(f"/board/cases/{items[0]['id']}/decision", json=bad, headers=CLERK),
        )
        assert [r.status_code for r in responses] == [200] * 29 + [422]
        numbers = [r.json()["data"]["recipient_number"] for r in responses[:-1]]
        assert len(set(numbers)) == 29 and all(has_valid_check_digit(n) for n in numbers)
        audit = await ok(await client.get("/board/numbers", headers=VIEWER))
        assert audit["last_serial"] == before + 29 and audit["complete"]
        assert [n["serial"] for n in audit["items"]] == list(range(1, audit["last_serial"] + 1))


class TestHistory:
    """Each decision is kept in the patient's edit history with Japanese labels."""

    async def test_the_decision_and_the_number_are_in_the_history(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        decided = await decide(client, await case(client, patient), comments="標準治療で妥当")
        history = await ok(await client.get(f"/patients/{patient['id']}/history", headers=NURSE))
        entry = next(e for e in history["items"] if e["record_type"] == "board_case")
        changes = {c["label"]: c["new"] for c in entry["changes"]}
        assert entry["record_label"] == "診査会の案件" and changes["判定"] == "承認"
        assert (
            changes["受給者番号"] == decided["data"]["recipient_number"] and changes["委員の意見"] == "標準治療で妥当"
        )


class TestEvents:
    """A decision is published through the outbox with the case's whole state."""

    async def test_the_decision_is_published_as_board_record_saved(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        nc = await nats.connect("nats://127.0.0.1:54222")
        sub = await nc.jetstream().subscribe(
            "tbms.patients.board_record.saved.v1", ordered_consumer=True, deliver_policy=nats.js.api.DeliverPolicy.NEW
        )
        decided = await decide(client, await case(client, await make_patient()))
        envelope = json.loads((await sub.next_msg(timeout=10)).data)
        while (envelope["aggregate_id"], envelope["aggregate_version"]) != (decided["id"], decided["version"]):
            envelope = json.loads((await sub.next_msg(timeout=10)).data)
        record = envelope["payload"]["board_record"]
        assert record["kind"] == "case" and record["labels"]["decision"] == "承認"
        assert record["data"]["recipient_number"] == decided["data"]["recipient_number"]
        await nc.close()


class TestCards:
    """患者票: issued once on a granted case, reissued when lost, returned."""

    async def test_issue_reissue_and_return(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        decided = await decide(client, await case(client, patient, pharmacy="試験薬局"))
        url = f"/board/cases/{decided['id']}/cards"
        card = await ok(await client.post(url, json={"issued_on": "2026-09-12"}, headers=CLERK), 201)
        assert card["pharmacy"] == "試験薬局" and card["valid_to"] == "2027-02-28"
        again = await client.post(url, json={"issued_on": "2026-09-13"}, headers=CLERK)
        assert again.status_code == 422
        body = {"version": card["version"], "on": "2026-10-01", "reason": "紛失"}
        card = await ok(await client.post(f"/board/cards/{card['id']}/reissue", json=body, headers=CLERK))
        assert card["reissues"] == [{"on": "2026-10-01", "reason": "紛失"}]
        body = {"version": card["version"], "on": "2026-11-01"}
        card = await ok(await client.post(f"/board/cards/{card['id']}/return", json=body, headers=CLERK))
        assert card["status"] == "returned"

    async def test_no_card_for_a_refused_case(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        refused = await decide(client, await case(client, await make_patient()), decision="refused")
        response = await client.post(
            f"/board/cases/{refused['id']}/cards", json={"issued_on": "2026-09-12"}, headers=CLERK
        )
        assert response.status_code == 422


class TestReceipt:
    """A 記載事項変更届 or a 19条 report is closed by its receipt; the 届 changes the 患者票 in force."""

    async def test_a_change_of_institution_changes_the_card_in_force_and_closes_the_case(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        decided = await decide(client, await case(client, patient, pharmacy="試験薬局"))
        url = f"/board/cases/{decided['id']}/cards"
        card = await ok(await client.post(url, json={"issued_on": "2026-09-12"}, headers=CLERK), 201)
        change = await case(
            client, patient, kind="record_change", received_on="2026-11-16", institution="見本総合病院", pharmacy=""
        )
        early = {"version": change["version"], "on": "2026-11-15"}
        refused = await client.post(f"/board/cases/{change['id']}/receipt", json=early, headers=CLERK)
        assert refused.status_code == 422 and "受付日" in refused.json()["errors"]["on"]

        body = {"version": change["version"], "on": "2026-11-20"}
        done = await ok(await client.post(f"/board/cases/{change['id']}/receipt", json=body, headers=CLERK))
        assert (done["case"]["data"]["decision"], done["case"]["data"]["decided_on"]) == ("received", "2026-11-20")
        assert done["case"]["decision_label"] == "受理"
        changed = done["card"]
        assert changed["id"] == card["id"] and changed["version"] == card["version"] + 1
        assert (changed["institution"], changed["pharmacy"]) == ("見本総合病院", "試験薬局")
        [kept] = changed["changes"]
        assert kept["on"] == "2026-11-20" and kept["case_id"] == change["id"]
        assert kept["items"] == {
            "institution": {"label": "指定医療機関", "before": "試験病院", "after": "見本総合病院"}
        }

        again = {"version": done["case"]["version"], "on": "2026-11-21"}
        twice = await client.post(f"/board/cases/{change['id']}/receipt", json=again, headers=CLERK)
        assert twice.status_code == 422

    async def test_without_a_card_in_force_the_change_is_refused_and_a_19_report_closes_alone(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        change = await case(client, patient, kind="record_change", received_on="2026-11-16", institution="見本病院")
        body = {"version": change["version"], "on": "2026-11-20"}
        refused = await client.post(f"/board/cases/{change['id']}/receipt", json=body, headers=CLERK)
        assert refused.status_code == 422 and "患者票" in refused.json()["errors"]["on"]
        report = await case(client, patient, kind="art19_report", received_on="2026-11-16")
        body = {"version": report["version"], "on": "2026-11-20", "note": "応急入院の報告を受理"}
        done = await ok(await client.post(f"/board/cases/{report['id']}/receipt", json=body, headers=CLERK))
        assert done["case"]["data"]["decision"] == "received" and done["card"] is None
        new = await case(client, patient)
        wrong = await client.post(
            f"/board/cases/{new['id']}/receipt", json={"version": new["version"], "on": "2026-11-20"}, headers=CLERK
        )
        assert wrong.status_code == 422, "a case for the board is decided, not received"


class TestMeasures:
    """勧告: 19条 72 hours, 20条 the configured days, an extension only on the board's opinion, 18条 until no
    longer infectious."""

    async def test_emergency_admission_ends_72_hours_later(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {
            "article": "19",
            "issued_on": "2026-04-10",
            "starts_at": "2026-04-10T15:00:00+09:00",
            "hospital": "試験病院",
        }
        measure = await ok(await client.post(f"/patients/{patient['id']}/measures", json=body, headers=CLERK), 201)
        assert measure["ends_at"].startswith("2026-04-13T06:00:00") and measure["ends_on"] == "2026-04-13"

    async def test_admission_runs_thirty_days_and_extension_needs_the_board(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        url = f"/patients/{patient['id']}/measures"
        body = {"article": "20", "issued_on": "2026-04-13", "hospital": "試験病院", "delivery": "hand"}
        measure = await ok(await client.post(url, json=body, headers=CLERK), 201)
        assert (measure["starts_on"], measure["ends_on"]) == ("2026-04-13", "2026-05-12")
        refused = await client.post(url, json={"article": "20_extension", "issued_on": "2026-05-10"}, headers=CLERK)
        assert refused.status_code == 422 and "協議会の意見" in refused.json()["errors"]["case_id"]
        extension = await case(
            client, patient, kind="art20_extension", received_on="2026-05-01", admitted_on="2026-05-12"
        )
        assert extension["cover"]["start"] == "2026-05-13" and extension["cover"]["end"] == "2026-06-11"
        granted = await decide(client, extension, decided_on="2026-05-08")
        body = {"article": "20_extension", "issued_on": "2026-05-10", "case_id": granted["id"]}
        extended = await ok(await client.post(url, json=body, headers=CLERK), 201)
        assert (extended["starts_on"], extended["ends_on"]) == ("2026-05-13", "2026-06-11")

    async def test_work_restriction_until_no_longer_infectious_and_its_end(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {"article": "18", "issued_on": "2026-04-10", "delivery": "mail", "delivered_on": "2026-04-11"}
        measure = await ok(await client.post(f"/patients/{patient['id']}/measures", json=body, headers=CLERK), 201)
        assert measure["ends_on"] is None and measure["restricted_work"] == "接客業その他の多数の者に接触する業務"
        change = {"version": measure["version"], "changes": {"ended_on": "2026-06-01"}}
        missing = await client.patch(f"/board/measures/{measure['id']}", json=change, headers=CLERK)
        assert missing.json()["errors"]["end_reason"] == "終了の理由を選んでください。"
        change["changes"] |= {"end_reason": "criteria_met", "statement": "本人より意見陳述あり"}
        ended = await ok(await client.patch(f"/board/measures/{measure['id']}", json=change, headers=CLERK))
        assert ended["in_force"] is False and ended["end_reason_label"].startswith("退院基準")

    @pytest.mark.req("R30")
    async def test_the_patient_record_carries_the_measures_in_force_with_the_days_left(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        from datetime import timedelta

        from tbms_core.clock import today

        patient, day = await make_patient(), today()
        url = f"/patients/{patient['id']}/measures"
        admission = {"article": "20", "issued_on": (day - timedelta(days=5)).isoformat(), "hospital": "試験病院"}
        admitted = await ok(await client.post(url, json=admission, headers=CLERK), 201)
        old = {"article": "20", "issued_on": (day - timedelta(days=200)).isoformat(), "hospital": "旧病院"}
        await ok(await client.post(url, json=old, headers=CLERK), 201)  # its 30 days ran out long ago
        restriction = {"article": "18", "issued_on": (day - timedelta(days=3)).isoformat()}
        restricted = await ok(await client.post(url, json=restriction, headers=CLERK), 201)
        shown = (await ok(await client.get(f"/patients/{patient['id']}/record", headers=NURSE)))["measures"]
        assert {m["id"] for m in shown} == {admitted["id"], restricted["id"]}
        by_article = {m["article"]: m for m in shown}
        ends = date.fromisoformat(admitted["ends_on"])
        assert by_article["20"]["days_left"] == (ends - day).days and by_article["20"]["label"] == "20条 入院勧告"
        assert by_article["18"]["ends_on"] is None and by_article["18"]["days_left"] is None

        change = {
            "version": restricted["version"],
            "changes": {"ended_on": day.isoformat(), "end_reason": "criteria_met"},
        }
        await ok(await client.patch(f"/board/measures/{restricted['id']}", json=change, headers=CLERK))
        shown = (await ok(await client.get(f"/patients/{patient['id']}/record", headers=NURSE)))["measures"]
        assert [m["id"] for m in shown] == [admitted["id"]]


class TestAccess:
    """診査会・公費: 参照 reads, 更新 changes; nothing else."""

    async def test_a_reader_cannot_decide_or_open(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        item = await case(client, patient)
        assert (
            await client.post("/board/sessions", json={"held_at": "2026-11-10T14:00"}, headers=VIEWER)
        ).status_code == 403
        body = {"version": 1, "decision": "refused", "decided_on": "2026-09-10"}
        assert (await client.post(f"/board/cases/{item['id']}/decision", json=body, headers=VIEWER)).status_code == 403
        assert (await client.get("/board/worklist", headers=VIEWER)).status_code == 200


class TestWorklist:
    """The clerk's list: awaiting a session, to notify, to issue."""

    async def test_a_case_moves_through_the_lists(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        item = await case(client, await make_patient())
        lists = await ok(await client.get("/board/worklist", headers=CLERK))
        assert item["id"] in {c["id"] for c in lists["awaiting"]}
        meeting = await session(client)
        item = await ok(
            await client.patch(
                f"/board/cases/{item['id']}",
                json={"version": item["version"], "changes": {"session_id": meeting["id"]}},
                headers=CLERK,
            )
        )
        lists = await ok(await client.get("/board/worklist", headers=CLERK))
        assert item["id"] not in {c["id"] for c in lists["awaiting"]}
        decided = await decide(client, item, decision="deferred")
        lists = await ok(await client.get("/board/worklist", headers=CLERK))
        assert item["id"] in {c["id"] for c in lists["awaiting"]}  # carried to the next session
        decided = await decide(client, decided)
        lists = await ok(await client.get("/board/worklist", headers=CLERK))
        assert item["id"] not in {c["id"] for c in lists["awaiting"]}
        assert item["id"] in {c["id"] for c in lists["to_notify"]} and item["id"] in {
            c["id"] for c in lists["to_issue"]
        }
        body = {"version": decided["version"], "notified_on": "2026-09-11"}
        await ok(await client.post(f"/board/cases/{item['id']}/notified", json=body, headers=CLERK))
        lists = await ok(await client.get("/board/worklist", headers=CLERK))
        assert item["id"] not in {c["id"] for c in lists["to_notify"]}
