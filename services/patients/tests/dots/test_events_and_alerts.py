"""DOTS records leave the patients service as events (search and reports see them), the next confirmation due is an
alert and a deadline of the patient's snapshot, and the edit history names DOTS records in Japanese (R07)."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_core import clock
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
NURSE, VIEWER = LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1")
pytestmark = pytest.mark.req("R07", partial=True)


def dots(patient: dict[str, Any], path: str = "") -> str:
    return f"/patients/{patient['id']}/dots{path}"


async def ok(response: httpx.Response, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.text
    return response.json()


async def care_events(client: httpx.AsyncClient, patient_id: str) -> list[dict[str, Any]]:
    """The CareRecordSaved payloads about a patient, oldest first, as the outbox holds them."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload FROM outbox WHERE subject = 'tbms.patients.care_record.saved.v1' "
                "AND payload->'payload'->'care_record'->>'patient_id' = :id ORDER BY created_at, id"
            ),
            {"id": patient_id},
        )
        return [row["payload"] for row in rows]


class TestEvents:
    """Each DOTS record is published through the outbox as CareRecordSaved of its kind, with Japanese labels."""

    async def test_plan_assessment_confirmations_and_their_corrections_are_published(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        plan = {"starts_on": "2025-05-01", "dots_type": "visit", "intensity": "B", "goals": "毎日の服薬"}
        created = await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
        body = {"assessed_on": "2025-04-28", "answers": {"homeless": {"applies": True, "note": "公園で生活"}}}
        await ok(await client.post(dots(patient, "/assessments"), json=body, headers=NURSE), 201)
        days = [
            {"confirmed_on": f"2025-05-0{n}", "method": "face_to_face", "status": "taken" if n != 2 else "missed"}
            for n in (1, 2, 3)
        ]
        await ok(await client.post(dots(patient, "/confirmations/calendar"), json={"items": days}, headers=NURSE))
        change = {"version": 1, "changes": {"intensity": "A"}, "reason": "飲み忘れが続く"}
        await ok(await client.patch(dots(patient, f"/plans/{created['id']}"), json=change, headers=NURSE))

        events = await care_events(client, patient["id"])
        kinds = [e["care_record"]["kind"] for e in events]
        assert kinds == ["dots_plan", "dots_assessment", *["dots_confirmation"] * 3, "dots_plan"]
        first, assessment, *_, changed = events
        assert first["created"] and first["care_record"]["data"]["goals"] == "毎日の服薬"
        assert first["care_record"]["labels"]["dots_type"] == "訪問DOTS"
        assert assessment["care_record"]["data"]["level"] == "A"
        assert assessment["care_record"]["data"]["answers"]["homeless"]["note"] == "公園で生活"
        [missed] = [e["care_record"] for e in events if e["care_record"]["data"].get("status") == "missed"]
        assert (missed["data"]["confirmed_on"], missed["labels"]["status"]) == ("2025-05-02", "未服薬")
        assert not changed["created"] and changed["changed_fields"] == ["intensity"]
        assert (changed["care_record"]["version"], changed["care_record"]["data"]["intensity"]) == (2, "A")

    async def test_the_cohort_review_is_published_with_the_outcome_that_stands_and_the_computed_one(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {"regimen": "2HREZ/4HR", "started_on": "2025-01-10", "ended_on": "2025-07-09"}
        course = await ok(await client.post(f"/patients/{patient['id']}/treatments", json=body, headers=NURSE), 201)
        review = {"version": 0, "override_outcome": "completed", "override_reason": "検体不適", "meeting_note": "確認"}
        await ok(await client.put(dots(patient, f"/outcomes/{course['id']}"), json=review, headers=NURSE))
        [event] = [e for e in await care_events(client, patient["id"]) if e["care_record"]["kind"].startswith("dots")]
        record = event["care_record"]
        assert record["data"]["outcome"] == "completed" and record["labels"]["override_outcome"] == "治療完了"
        assert record["data"]["treatment_id"] == course["id"] and record["data"]["override_reason"] == "検体不適"
        assert record["data"]["computed_now"] == "completed" and record["data"]["computed_now_rule"]


class TestConfirmationDue:
    """The next 服薬確認 under the plan in force is an alert on the patient and a deadline of the snapshot."""

    async def test_due_then_overdue_and_published_in_the_snapshot(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        plan = {"starts_on": "2026-03-01", "dots_type": "outpatient", "intensity": "B"}
        await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
        item = {"confirmed_on": "2026-03-05", "method": "face_to_face", "status": "taken"}
        await ok(await client.post(dots(patient, "/confirmations"), json=item, headers=NURSE), 201)
        clock.set_clock(clock.jst(2026, 3, 10, 9))
        try:
            alerts = (await ok(await client.get(f"/patients/{patient['id']}/record", headers=VIEWER)))["alerts"]
            [due] = [a for a in alerts if a["code"].startswith("dots_")]
            assert (due["code"], due["level"], due["due_on"]) == ("dots_confirmation_due", "info", "2026-03-12")
            assert "令和8年3月12日" in due["message"] and "7日後" in due["message"]
            change = {"version": patient["version"], "changes": {"phone": "03-0000-0000"}}
            await ok(await client.patch(f"/patients/{patient['id']}", json=change, headers=NURSE))
            snapshot = (await patient_events(client, patient["id"]))[-1]["patient"]
            [deadline] = [d for d in snapshot["deadlines"] if d["kind"] == "dots_confirmation_due"]
            assert deadline["due_on"] == "2026-03-12" and "§5.1" in deadline["rule"]
            clock.set_clock(clock.jst(2026, 3, 20, 9))
            alerts = (await ok(await client.get(f"/patients/{patient['id']}/record", headers=VIEWER)))["alerts"]
            [overdue] = [a for a in alerts if a["code"].startswith("dots_")]
            assert (overdue["code"], overdue["level"]) == ("dots_confirmation_overdue", "warning")
        finally:
            clock.set_clock(None)

    async def test_no_alert_without_a_plan_in_force(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        plan = {"starts_on": "2025-01-01", "ends_on": "2025-06-30", "dots_type": "outpatient", "intensity": "A"}
        await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
        alerts = (await ok(await client.get(f"/patients/{patient['id']}/record", headers=VIEWER)))["alerts"]
        assert not [a for a in alerts if a["code"].startswith("dots_")]


async def patient_events(client: httpx.AsyncClient, patient_id: str) -> list[dict[str, Any]]:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload FROM outbox WHERE payload->>'aggregate_id' = :id "
                "AND subject LIKE 'tbms.patients.patient.%' ORDER BY created_at"
            ),
            {"id": patient_id},
        )
        return [row["payload"] for row in rows]


async def test_the_history_names_dots_records_and_items_in_japanese(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient()
    plan = {"starts_on": "2025-05-01", "dots_type": "visit", "intensity": "B"}
    created = await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
    change = {"version": 1, "changes": {"intensity": "A", "dots_type": "outpatient"}, "reason": "見直し"}
    await ok(await client.patch(dots(patient, f"/plans/{created['id']}"), json=change, headers=NURSE))
    item = {"confirmed_on": "2025-05-02", "method": "phone", "status": "unknown"}
    saved = await ok(await client.post(dots(patient, "/confirmations"), json=item, headers=NURSE), 201)
    fix = {"version": 1, "changes": {"status": "taken", "method": "face_to_face"}, "reason": "電話で再確認"}
    await ok(await client.patch(dots(patient, f"/confirmations/{saved['id']}"), json=fix, headers=NURSE))
    history = (await ok(await client.get(f"/patients/{patient['id']}/history", headers=VIEWER)))["items"]
    confirmation, changed_plan = history[0], history[1]
    assert confirmation["record_label"] == "服薬確認" and changed_plan["record_label"] == "服薬支援計画"
    shown = {c["label"]: (c["old"], c["new"]) for c in confirmation["changes"]}
    assert shown == {"服薬": ("不明", "服薬"), "確認の方法": ("電話", "対面")}
    plan_shown = {c["label"]: (c["old"], c["new"]) for c in changed_plan["changes"]}
    assert plan_shown == {"支援強度": ("B", "A"), "DOTSの種類": ("訪問DOTS", "外来DOTS")}


@pytest.mark.req("F02", partial=True)
async def test_the_ltbi_end_checklist_is_kept_with_the_review_and_published_with_the_completion(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient(category="ltbi")
    body = {"regimen": "6H", "started_on": "2025-02-01", "ended_on": "2025-02-03"}
    course = await ok(await client.post(f"/patients/{patient['id']}/treatments", json=body, headers=NURSE), 201)
    days = [{"confirmed_on": f"2025-02-0{n}", "method": "face_to_face", "status": "taken"} for n in (1, 2, 3)]
    await ok(await client.post(dots(patient, "/confirmations/calendar"), json={"items": days}, headers=NURSE))
    url = dots(patient, f"/outcomes/{course['id']}")
    unknown = {"version": 0, "ltbi_checklist": {"no_such_item": {"checked": True}}}
    refused = await client.put(url, json=unknown, headers=NURSE)
    assert refused.status_code == 422
    assert refused.json()["errors"]["ltbi_checklist.no_such_item"] == "この項目はチェックリストにありません。"
    review = {
        "version": 0,
        "end_reason": "self_stopped",
        "ltbi_checked_on": "2025-02-10",
        "ltbi_checklist": {"symptom_advice": {"checked": True, "note": "受診の目安を説明"}},
    }
    saved = await ok(await client.put(url, json=review, headers=NURSE))
    assert saved["review"]["ltbi_checklist"] == {"symptom_advice": {"checked": True, "note": "受診の目安を説明"}}
    assert saved["review"]["ltbi_checked_on"] == "2025-02-10"
    [event] = [e for e in await care_events(client, patient["id"]) if e["care_record"]["kind"] == "dots_cohort_review"]
    data = event["care_record"]["data"]
    assert data["ltbi_checklist"]["symptom_advice"]["checked"] is True
    assert data["ltbi"]["doses_taken"] == 3 and data["ltbi"]["doses_needed"] == 180
    assert data["ltbi"]["regimen_label"] == "INH 6か月"
    labels = {item["key"]: item for item in data["ltbi_checklist_items"]}
    assert "JSTB予防委員会（2016）" in labels["symptom_advice"]["basis"]
    assert event["care_record"]["labels"]["end_reason"] == "本人の判断で終了（自己中断）"
