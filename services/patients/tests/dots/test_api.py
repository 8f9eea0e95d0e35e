"""DOTS through the patients API: confirmations one day or a month at a time, the day sheet, the F01 assessment, the
F07 plan, the outcome with its override and the cohort list with the DOTS rate (R07)."""

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from patients.dots.service import DotsService
from tbms_core.auth import Principal
from tbms_testing import LiveAuthHeaders, auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
NURSE, VIEWER = LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1")
pytestmark = pytest.mark.req("R07", partial=True)


def dots(patient: dict[str, Any], path: str = "") -> str:
    return f"/patients/{patient['id']}/dots{path}"


async def ok(response: httpx.Response, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.text
    return response.json()


async def treatment(client: httpx.AsyncClient, patient: dict[str, Any], **changes: str) -> dict[str, Any]:
    body = {"regimen": "2HREZ/4HR", "started_on": "2025-01-10"} | changes
    return await ok(await client.post(f"/patients/{patient['id']}/treatments", json=body, headers=NURSE), 201)


async def culture(client: httpx.AsyncClient, patient: dict[str, Any], on: str, result: str) -> None:
    body = {"kind": "culture", "specimen": "喀痰", "collected_on": on, "details": {"medium": "液体", "result": result}}
    await ok(await client.post(f"/patients/{patient['id']}/lab-results", json=body, headers=NURSE), 201)


def month(first: date, days: int, status: str = "taken") -> list[dict[str, Any]]:
    return [
        {"confirmed_on": (first + timedelta(days=n)).isoformat(), "method": "face_to_face", "status": status}
        for n in range(days)
    ]


class TestConfirmations:
    """服薬確認 per date, and a month's calendar in one request."""

    async def test_a_month_is_entered_at_once_and_read_back_in_date_order(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        items = month(date(2025, 4, 1), 30)
        items[3] |= {"status": "missed", "method": "phone", "note": "電話に出ず", "remaining_doses": 12}
        saved = await ok(
            await client.post(dots(patient, "/confirmations/calendar"), json={"items": items}, headers=NURSE)
        )
        assert len(saved["items"]) == 30 and saved["items"][0]["confirmed_by"] == "nurse1"
        listed = await ok(
            await client.get(dots(patient, "/confirmations?first=2025-04-04&last=2025-04-05"), headers=VIEWER)
        )
        assert [(c["status"], c["method"], c["remaining_doses"]) for c in listed["items"]] == [
            ("missed", "phone", 12),
            ("taken", "face_to_face", None),
        ]

    async def test_each_wrong_date_is_named_in_japanese_and_nothing_is_stored(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        items = month(date(2025, 4, 1), 5)
        items[1]["method"] = "fax"
        items[2]["status"] = ""
        items[4]["confirmed_on"] = items[0]["confirmed_on"]
        response = await client.post(dots(patient, "/confirmations/calendar"), json={"items": items}, headers=NURSE)
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert errors["items.1.method"] == "確認方法が選択肢にありません。"
        assert "items.2.status" in errors and errors["items.4.confirmed_on"] == "同じ日付が1行目にもあります。"
        assert (await ok(await client.get(dots(patient, "/confirmations"), headers=VIEWER)))["items"] == []

    async def test_a_recorded_day_is_corrected_only_with_its_version(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {"confirmed_on": "R7.4.1", "method": "empty_packet", "status": "taken", "side_effects": "軽い吐き気"}
        first = await ok(await client.post(dots(patient, "/confirmations"), json=body, headers=NURSE), 201)
        again = await client.post(dots(patient, "/confirmations"), json=body, headers=NURSE)
        assert again.status_code == 422 and "既に記録" in again.json()["errors"]["confirmed_on"]
        change = {"version": 1, "changes": {"status": "missed"}, "reason": "空袋が残っていた"}
        url = dots(patient, f"/confirmations/{first['id']}")
        assert (await ok(await client.patch(url, json=change, headers=NURSE)))["version"] == 2
        stale = await client.patch(url, json=change, headers=NURSE)
        assert stale.status_code == 409 and "他の利用者" in stale.json()["detail"]
        calendar = {"items": [{**body, "status": "unknown"}]}
        refused = await client.post(dots(patient, "/confirmations/calendar"), json=calendar, headers=NURSE)
        assert "版" in refused.json()["errors"]["items.0.confirmed_on"]
        calendar["items"][0]["version"] = 2
        saved = await ok(await client.post(dots(patient, "/confirmations/calendar"), json=calendar, headers=NURSE))
        assert saved["items"][0]["status"] == "unknown"
        history = await ok(await client.get(f"/patients/{patient['id']}/history", headers=VIEWER))
        assert "空袋が残っていた" in [entry["reason"] for entry in history["items"]]

    async def test_read_only_users_may_read_but_not_record(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {"items": month(date(2025, 4, 1), 1)}
        refused = await client.post(dots(patient, "/confirmations/calendar"), json=body, headers=VIEWER)
        assert refused.status_code == 403 and "患者管理" in refused.json()["detail"]
        assert (await client.get(dots(patient, "/confirmations"), headers=VIEWER)).status_code == 200


class TestPlanAndDaySheet:
    """The F07 plan says who confirms how often; the day sheet lists her patients with what is due."""

    async def test_the_day_sheet_lists_the_nurses_patients_with_the_days_confirmation_and_due_date(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        day = date(2025, 5, 20)
        daily, weekly = await make_patient(), await make_patient(name="試験 次郎", name_kana="シケン ジロウ")
        for patient, intensity in ((daily, "A"), (weekly, "B")):
            plan = {"starts_on": "2025-05-01", "dots_type": "outpatient", "intensity": intensity}
            await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
        await client.post(dots(daily, "/confirmations/calendar"), json={"items": month(day, 1)}, headers=NURSE)
        await client.post(
            dots(weekly, "/confirmations/calendar"), json={"items": month(date(2025, 5, 10), 1)}, headers=NURSE
        )
        sheet = await ok(await client.get(f"/dots/day-sheet?day={day}&nurse=nurse1", headers=NURSE))
        lines = {line["patient_id"]: line for line in sheet["items"]}
        assert lines[daily["id"]]["confirmation"]["status"] == "taken" and not lines[daily["id"]]["due_today"]
        assert lines[weekly["id"]]["confirmation"] is None and lines[weekly["id"]]["due_on"] == "2025-05-17"
        assert lines[weekly["id"]]["due_today"] and "令和7年5月10日" in lines[weekly["id"]]["due_why"]

    async def test_a_plan_is_changed_with_its_reason_and_a_stale_change_is_refused(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        course = await treatment(client, patient)
        plan = {
            "treatment_id": course["id"],
            "starts_on": "2025-01-10",
            "dots_type": "visit",
            "intensity": "B",
            "supporters": [{"kind": "pharmacy", "name": "試験薬局", "place": "世田谷区試験町"}],
            "conference_on": "2025-01-15",
            "conference_participants": "主治医 見本 一郎、保健師 試験 花子",
            "consent_on": "2025-01-15",
            "consent_how": "口頭で同意",
            "goals": "毎日の服薬を続ける",
        }
        created = await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
        assert created["contact_interval_days"] == 7 and created["nurse"] == "nurse1"
        change = {
            "version": 1,
            "changes": {"intensity": "A", "reviews": [{"reviewed_on": "2025-02-15", "note": "飲み忘れが続く"}]},
            "reason": "飲み忘れのため支援強度を上げる",
        }
        url = dots(patient, f"/plans/{created['id']}")
        changed = await ok(await client.patch(url, json=change, headers=NURSE))
        assert (changed["intensity"], changed["contact_interval_days"], changed["version"]) == ("A", 1, 2)
        assert (await client.patch(url, json=change, headers=NURSE)).status_code == 409
        wrong = await client.patch(url, json={"version": 2, "changes": {"intensity": "Z"}}, headers=NURSE)
        assert wrong.status_code == 422 and "A・B・C" in wrong.json()["errors"]["intensity"]
        history = await ok(await client.get(f"/patients/{patient['id']}/history", headers=VIEWER))
        assert history["items"][0]["reason"] == "飲み忘れのため支援強度を上げる"


class TestAssessment:
    """F01: the items of the configured sheet, the level and the suggested DOTS type."""

    async def test_a_high_risk_item_suggests_daily_visits(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        body = {"assessed_on": "R7.1.12", "answers": {"homeless": {"applies": True, "note": "公園で生活"}}}
        saved = await ok(await client.post(dots(patient, "/assessments"), json=body, headers=NURSE), 201)
        assert (saved["level"], saved["suggested_type"]) == ("A", "visit") and len(saved["items"]) > 10
        unknown = {"assessed_on": "R7.1.12", "answers": {"no_such_item": {"applies": True}}}
        refused = await client.post(dots(patient, "/assessments"), json=unknown, headers=NURSE)
        assert (
            refused.status_code == 422
            and "アセスメントシートにありません" in refused.json()["errors"]["answers.no_such_item"]
        )

    async def test_only_an_administrator_changes_the_items_and_new_sheets_follow_them(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        settings = await ok(await client.get("/dots/settings", headers=VIEWER))
        items = next(s for s in settings["items"] if s["key"] == "assessment_items")
        new_items = [*items["value"], {"key": "new_item", "group": "social", "label": "新しい項目", "high": True}]
        body = {"version": items["version"], "value": new_items, "reason": "様式改正"}
        refused = await client.put("/dots/settings/assessment_items", json=body, headers=NURSE)
        assert refused.status_code == 403
        saved = await ok(await client.put("/dots/settings/assessment_items", json=body, headers=auth_headers("admin1")))
        patient = await make_patient()
        answer = {"assessed_on": "R7.1.12", "answers": {"new_item": {"applies": True}}}
        assert (await ok(await client.post(dots(patient, "/assessments"), json=answer, headers=NURSE), 201))[
            "level"
        ] == "A"
        restore = {"version": saved["version"], "value": items["value"]}
        await ok(await client.put("/dots/settings/assessment_items", json=restore, headers=auth_headers("admin1")))
        bad = {"version": saved["version"] + 1, "value": [{"key": "x", "group": "nope", "label": "x"}]}
        wrong = await client.put("/dots/settings/assessment_items", json=bad, headers=auth_headers("admin1"))
        assert wrong.status_code == 422 and "グループ" in wrong.json()["errors"]["value.0.group"]


class TestOutcome:
    """The computed outcome is shown with its rule; an override needs a reason and both are kept."""

    async def test_override_is_kept_beside_the_computed_outcome(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        course = await treatment(client, patient, ended_on="2025-07-09")
        await culture(client, patient, "2025-01-08", "陽性")
        await culture(client, patient, "2025-03-10", "陰性")
        await culture(client, patient, "2025-06-20", "陰性")
        url = dots(patient, f"/outcomes/{course['id']}")
        shown = await ok(await client.get(f"{url}?as_of=2026-12-31", headers=VIEWER))
        assert (shown["computed"]["label"], shown["outcome_label"], shown["override"]) == ("治癒", "治癒", None)
        assert "令和7年3月10日" in shown["computed"]["rule"]
        no_reason = await client.put(url, json={"version": 0, "override_outcome": "completed"}, headers=NURSE)
        assert no_reason.status_code == 422 and "理由" in no_reason.json()["errors"]["_"]
        body = {
            "version": 0,
            "override_outcome": "completed",
            "override_reason": "6か月目の検体が唾液だった",
            "meeting_note": "検討会で確認",
        }
        saved = await ok(await client.put(url, json=body, headers=NURSE))
        assert saved["computed"]["label"] == "治癒" and saved["outcome_label"] == "治療完了"
        assert (
            saved["override"]["reason"] == "6か月目の検体が唾液だった" and saved["override"]["computed_then"] == "cured"
        )
        stale = await client.put(url, json=body, headers=NURSE)
        assert stale.status_code == 409

    async def test_interruptions_confirmed_day_by_day_make_the_course_lost(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        course = await treatment(client, patient, ended_on="2025-07-09")
        for first in (date(2025, 2, 1), date(2025, 3, 3)):
            body = {"items": month(first, 30, "missed")}
            await ok(await client.post(dots(patient, "/confirmations/calendar"), json=body, headers=NURSE))
        shown = await ok(await client.get(dots(patient, f"/outcomes/{course['id']}?as_of=2026-12-31"), headers=VIEWER))
        assert (shown["computed"]["label"], shown["computed"]["sub_label"]) == ("脱落・中断", "連続した中断")
        page = await ok(await client.get(dots(patient, "/course?as_of=2025-07-09"), headers=VIEWER))
        [summary] = page["items"]
        assert summary["longest_interruption"] == 60 and summary["adherence"]["missed_in_first_months"] == 60
        assert summary["adherence"]["course"]["planned"] == 181 and summary["adherence"]["weeks"][0]["planned"] == 7


class TestRuleSettings:
    """The numbers of the cohort rules are a setting with the official defaults."""

    async def test_an_administrator_changes_the_interruption_limit_and_the_outcome_follows(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        admin = auth_headers("admin1")
        patient = await make_patient()
        course = await treatment(client, patient, ended_on="2025-07-09")
        body = {"items": month(date(2025, 3, 1), 45, "missed")}
        await ok(await client.post(dots(patient, "/confirmations/calendar"), json=body, headers=NURSE))
        url = dots(patient, f"/outcomes/{course['id']}?as_of=2026-12-31")
        assert (await ok(await client.get(url, headers=VIEWER)))["computed"]["label"] == "治療完了"
        settings = await ok(await client.get("/dots/settings", headers=VIEWER))
        rules = next(s for s in settings["items"] if s["key"] == "cohort_rules")
        assert rules["default"] and rules["value"]["interruption_days"] == 60
        wrong = {"version": rules["version"], "value": rules["value"] | {"window_last": 5}}
        refused = await client.put("/dots/settings/cohort_rules", json=wrong, headers=admin)
        assert refused.status_code == 422 and "月" in refused.json()["errors"]["value"]
        change = {"version": rules["version"], "value": rules["value"] | {"consecutive_days": 45}, "reason": "確認"}
        saved = await ok(await client.put("/dots/settings/cohort_rules", json=change, headers=admin))
        try:
            shown = await ok(await client.get(url, headers=VIEWER))
            assert (shown["computed"]["label"], shown["computed"]["sub_label"]) == ("脱落・中断", "連続した中断")
        finally:
            restore = {"version": saved["version"], "value": rules["value"]}
            await ok(await client.put("/dots/settings/cohort_rules", json=restore, headers=admin))


class TestCohortList:
    """コホート検討会: the year's courses, counts per outcome and the DOTS rate over its denominator."""

    async def test_the_dots_rate_leaves_out_early_deaths_and_transfers_out_and_counts_ltbi_apart(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        year = "2019"  # a year no other test uses
        supported, unsupported, died, moved, ltbi = [await make_patient() for _ in range(4)] + [
            await make_patient(category="ltbi")
        ]
        courses = {}
        for patient in (supported, unsupported, died, moved):
            courses[patient["id"]] = await treatment(client, patient, started_on="2019-04-01")
        ltbi_course = await treatment(client, ltbi, started_on="2019-04-01", regimen="6H", ended_on="2019-09-30")
        for patient in (supported, died, moved, ltbi):
            plan = {"starts_on": "2019-04-01", "dots_type": "outpatient", "intensity": "A"}
            await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
        await ok(
            await client.post(
                dots(ltbi, "/confirmations/calendar"), json={"items": month(date(2019, 4, 1), 90)}, headers=NURSE
            )
        )
        await ok(
            await client.post(
                dots(ltbi, "/confirmations/calendar"), json={"items": month(date(2019, 6, 30), 90)}, headers=NURSE
            )
        )
        url = dots(died, f"/outcomes/{courses[died['id']]['id']}")
        await ok(
            await client.put(url, json={"version": 0, "died_on": "2019-04-20", "death_cause": "tb"}, headers=NURSE)
        )
        transfer = {"direction": "out", "moved_on": "2019-06-01", "counterpart": "試験市保健所"}
        await ok(await client.post(f"/patients/{moved['id']}/transfers", json=transfer, headers=NURSE), 201)
        listed = await ok(await client.get(f"/dots/cohort?period={year}&as_of=2020-12-31", headers=VIEWER))
        rate = listed["dots_rate"]
        assert (rate["new"], rate["died_within_a_month"], rate["transferred_out"], rate["denominator"]) == (4, 1, 1, 2)
        assert (rate["with_dots"], rate["rate"]) == (1, 0.5)
        assert listed["counts"]["died"] == 1 and listed["counts"]["transferred"] == 1
        assert listed["counts"]["over_12_months"] == 2
        [ltbi_row] = listed["ltbi"]["items"]
        assert ltbi_row["treatment_id"] == ltbi_course["id"] and ltbi_row["ltbi"]["label"] == "治療完了"
        row = next(r for r in listed["items"] if r["patient_id"] == died["id"])
        assert row["computed"]["label"] == "死亡" and "平成31年4月20日" in row["computed"]["rule"]
        quarter = await ok(await client.get(f"/dots/cohort?period={year}Q1", headers=VIEWER))
        assert quarter["items"] == []
        wrong = await client.get("/dots/cohort?period=令和元年", headers=VIEWER)
        assert wrong.status_code == 422 and "四半期" in wrong.json()["errors"]["period"]


class TestDueDate:
    """The next confirmation due, as the patient's snapshot can publish it."""

    async def test_a_gap_longer_than_the_plans_frequency_is_a_due_date_in_the_past(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()
        plan = {"starts_on": "2025-05-01", "dots_type": "visit", "intensity": "B"}
        await ok(await client.post(dots(patient, "/plans"), json=plan, headers=NURSE), 201)
        await ok(
            await client.post(
                dots(patient, "/confirmations/calendar"), json={"items": month(date(2025, 5, 3), 1)}, headers=NURSE
            )
        )
        listed = await ok(await client.get(dots(patient, "/plans"), headers=VIEWER))
        assert listed[0]["contact_interval_days"] == 7
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            service = DotsService(session, Principal(user_id="system", username="system", display_name=""))
            due = await service.confirmation_due(UUID(patient["id"]), date(2025, 5, 20))
            none = await service.confirmation_due(UUID(patient["id"]), date(2025, 4, 20))
        assert due is not None and due.on == date(2025, 5, 10) and "令和7年5月3日" in due.why
        assert none is None
