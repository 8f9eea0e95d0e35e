"""管理検診 through the patients API: the schedule from the end of treatment and its recomputation, recording each
examination, the clerk's lists, the deadlines in the patient's snapshot, and the 登録除外 proposal (R06)."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import nats
import pytest
from tbms_core import clock
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
NURSE, VIEWER = LiveAuthHeaders("nurse1"), LiveAuthHeaders("viewer1")


def url(patient: dict[str, Any], path: str = "") -> str:
    return f"/patients/{patient['id']}/followup{path}"


async def ok(response: httpx.Response, code: int = 200) -> dict[str, Any]:
    assert response.status_code == code, response.text
    return response.json()


async def ended(client: httpx.AsyncClient, patient: dict[str, Any], on: str) -> dict[str, Any]:
    body = {"regimen": "2HREZ/4HR", "started_on": "2023-09-01", "ended_on": on, "outcome": "completed"}
    return await ok(await client.post(f"/patients/{patient['id']}/treatments", json=body, headers=NURSE), 201)


async def plan(client: httpx.AsyncClient, patient: dict[str, Any], **body: Any) -> dict[str, Any]:
    return await ok(await client.put(url(patient, "/plan"), json=body, headers=NURSE))


async def record(client: httpx.AsyncClient, patient: dict[str, Any], exam: dict[str, Any], **changes: Any) -> Any:
    body = {"version": exam["version"], "changes": changes}
    return await client.patch(url(patient, f"/exams/{exam['id']}"), json=body, headers=NURSE)


@pytest.mark.req("R06", partial=True)
class TestSchedule:
    """The schedule counts from the end of treatment, says why, and moves when the end date changes."""

    async def test_a_treatment_ending_on_31_march(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient(category="recovered")
        await ended(client, patient, "2025-03-31")
        # the end date comes from the treatment record (recording it already started the plan)
        followup = await ok(await client.get(url(patient), headers=VIEWER))
        assert followup["plan"]["ended_on"] == "2025-03-31" and followup["profile"]["key"] == "standard"
        assert [e["due_on"] for e in followup["exams"]] == ["2025-09-30", "2026-03-31", "2026-09-30", "2027-03-31"]
        assert followup["exams"][0]["reason"].startswith("治療終了日（令和7年3月31日）から6か月")
        assert "健感発0128第1号" in followup["profile"]["basis"] and followup["period_end"] == "2027-03-31"

    async def test_a_treatment_ending_on_31_august_and_a_changed_end_date(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="recovered")
        followup = await plan(client, patient, ended_on="2025-08-31")
        assert [e["due_on"] for e in followup["exams"]] == ["2026-02-28", "2026-08-31", "2027-02-28", "2027-08-31"]
        first = followup["exams"][0]
        done = await ok(await record(client, patient, first, examined_on="2026-03-02", judgement="normal"))
        assert done["status"] == "done"
        moved = await plan(
            client, patient, version=followup["plan"]["version"], ended_on="2025-09-15", reason="終了日の訂正"
        )
        dates = [(e["seq"], e["due_on"]) for e in moved["exams"]]
        # the exam already done keeps its date; the others move to the new end date
        assert dates == [(1, "2026-02-28"), (2, "2026-09-15"), (3, "2027-03-15"), (4, "2027-09-15")]
        assert moved["exams"][1]["reason"].startswith("治療終了日（令和7年9月15日）から12か月")
        history = await ok(await client.get(f"/patients/{patient['id']}/history", headers=VIEWER))
        assert any(
            entry["record_label"] == "管理検診" and entry["reason"] == "終了日の訂正" for entry in history["items"]
        )

    async def test_ending_a_treatment_starts_the_schedule_and_a_corrected_end_moves_it(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="recovered")
        course = await ended(client, patient, "2025-03-31")
        followup = await ok(await client.get(url(patient), headers=VIEWER))
        assert followup["plan"]["ended_on"] == "2025-03-31" and len(followup["exams"]) == 4
        body = {"version": course["version"], "changes": {"ended_on": "2025-08-31"}, "reason": "終了日の訂正"}
        corrected = await client.patch(f"/patients/{patient['id']}/treatments/{course['id']}", json=body, headers=NURSE)
        assert corrected.status_code == 200, corrected.text
        moved = await ok(await client.get(url(patient), headers=VIEWER))
        assert [e["due_on"] for e in moved["exams"]] == ["2026-02-28", "2026-08-31", "2027-02-28", "2027-08-31"]

    async def test_ltbi_and_higher_risk_follow_their_own_schedules(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="ltbi")
        followup = await plan(client, patient, ended_on="2025-03-31")
        assert followup["profile"]["key"] == "ltbi" and followup["exams"] == []
        again = await plan(client, patient, version=followup["plan"]["version"], risk_factors=["immunosuppression"])
        assert again["profile"]["key"] == "ltbi_high_risk" and len(again["exams"]) == 4

    async def test_no_end_date_is_refused_beside_the_field(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="recovered")
        response = await client.put(url(patient, "/plan"), json={}, headers=NURSE)
        assert response.status_code == 422 and "治療終了日" in response.json()["errors"]["ended_on"]


@pytest.mark.req("R06", partial=True)
class TestExaminations:
    """Notice, appointment, results and judgement, or 病状把握; not attended: second notice, then a visit or call."""

    async def test_an_examination_is_recorded_and_refused_when_inconsistent(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="recovered")
        exam = (await plan(client, patient, ended_on="2025-08-31"))["exams"][0]
        bad = await record(client, patient, exam, judgement="normal")
        assert bad.status_code == 422 and "実施日" in bad.json()["errors"]["examined_on"]
        noticed = await ok(
            await record(client, patient, exam, notice_sent_on="2026-01-20", appointment_on="2026-02-10",
                         place="institution", institution="試験中央病院")
        )  # fmt: skip
        assert noticed["status"] == "not_attended" and noticed["labels"]["place"] == "医療機関"
        stale = await record(client, patient, exam, note="古い版")
        assert stale.status_code == 409
        visited = await ok(
            await record(client, patient, noticed, second_notice_on="2026-02-20", outreach="home_visit",
                         outreach_on="2026-03-01", outreach_note="本人不在、家族に受診を依頼")
        )  # fmt: skip
        reported = await ok(
            await record(client, patient, visited, method="doctor_report", examined_on="2026-03-10",
                         xray_finding="著変なし", sputum_smear="陰性", sputum_culture="陰性", judgement="normal")
        )  # fmt: skip
        assert reported["status"] == "done" and reported["labels"]["method"] == "病状把握（主治医の報告）"

    async def test_the_next_due_exam_is_in_the_patient_snapshot_as_a_deadline(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="recovered")
        await plan(client, patient, ended_on="2025-08-31")
        record_read = await ok(await client.get(f"/patients/{patient['id']}/record", headers=VIEWER))
        codes = {alert["code"]: alert for alert in record_read["alerts"]}
        # 2026-02-28 has passed without an exam; 2026-08-31 too; the alerts name each
        assert codes["followup_exam_overdue"]["section"] == "followup"

    async def test_the_clerks_lists(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient(category="recovered", district="北沢")
        followup = await plan(client, patient, ended_on="2025-08-31")
        clock.set_clock(clock.jst(2026, 2, 10, 9))
        try:
            notices = await ok(await client.get("/followup/list?view=notices&district=北沢", headers=VIEWER))
            assert [row["exam"]["due_on"] for row in notices["items"]] == ["2026-02-28"]
            due = await ok(await client.get("/followup/list?view=due&month=2026-02&district=北沢", headers=VIEWER))
            assert due["total"] == 1 and due["items"][0]["registration_no"] == patient["registration_no"]
            overdue = await ok(await client.get("/followup/list?view=overdue&district=北沢", headers=VIEWER))
            assert overdue["total"] == 0
        finally:
            clock.set_clock(None)
        overdue = await ok(await client.get("/followup/list?view=overdue&district=北沢", headers=VIEWER))
        assert [row["exam"]["seq"] for row in overdue["items"]] == [1, 2]
        await record(client, patient, followup["exams"][0], examined_on="2026-03-01")
        missing = await ok(await client.get("/followup/list?view=missing&district=北沢", headers=VIEWER))
        assert [row["exam"]["seq"] for row in missing["items"]] == [1]
        bad = await client.get("/followup/list?view=nothing", headers=VIEWER)
        assert bad.status_code == 422


@pytest.mark.req("R06", partial=True)
class TestExclusion:
    """At the end of the period the system proposes 登録除外 (経過観察終了); a relapse suspicion keeps it."""

    async def test_no_findings_is_proposed_and_confirmed(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="recovered")
        followup = await plan(client, patient, ended_on="2024-03-31")
        for exam in followup["exams"]:
            await ok(await record(client, patient, exam, examined_on=exam["due_on"], judgement="normal"))
        followup = await ok(await client.get(url(patient), headers=VIEWER))
        assert followup["proposal"]["propose_exclusion"] and "経過観察終了" in followup["proposal"]["message"]
        record_read = await ok(await client.get(f"/patients/{patient['id']}/record", headers=VIEWER))
        assert "followup_exclusion_proposed" in {alert["code"] for alert in record_read["alerts"]}
        current = await ok(await client.get(f"/patients/{patient['id']}", headers=VIEWER))
        confirmed = await ok(
            await client.post(url(patient, "/exclusion"), json={"version": current["version"]}, headers=NURSE)
        )
        assert confirmed["proposal"] is None
        excluded = await ok(await client.get(f"/patients/{patient['id']}", headers=VIEWER))
        assert excluded["status"] == "excluded" and excluded["exclusion_reason"] == "followup_ended"

    async def test_a_relapse_suspicion_keeps_the_registration(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="recovered")
        followup = await plan(client, patient, ended_on="2024-03-31")
        judgements = ["normal", "relapse_suspected", "normal", "normal"]
        for exam, judgement in zip(followup["exams"], judgements, strict=True):
            await ok(await record(client, patient, exam, examined_on=exam["due_on"], judgement=judgement))
        followup = await ok(await client.get(url(patient), headers=VIEWER))
        assert followup["proposal"]["propose_exclusion"] is False and "再発疑い" in followup["proposal"]["message"]
        current = await ok(await client.get(f"/patients/{patient['id']}", headers=VIEWER))
        refused = await client.post(url(patient, "/exclusion"), json={"version": current["version"]}, headers=NURSE)
        assert refused.status_code == 409
        still = await ok(await client.get(f"/patients/{patient['id']}", headers=VIEWER))
        assert still["status"] == "active"

    async def test_a_viewer_may_read_but_not_record(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient(category="recovered")
        assert (
            await client.put(url(patient, "/plan"), json={"ended_on": "2025-01-31"}, headers=VIEWER)
        ).status_code == 403
        assert (await client.get(url(patient), headers=VIEWER)).status_code == 200


@pytest.mark.req("R06", partial=True)
@pytest.mark.req("R08", partial=True)
async def test_exams_and_the_investigation_are_published_through_the_outbox(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    nc = await nats.connect("nats://127.0.0.1:54222")
    try:
        policy = nats.js.api.DeliverPolicy.NEW
        exams = await nc.jetstream().subscribe(
            "tbms.patients.followup_exam.saved.v1", ordered_consumer=True, deliver_policy=policy
        )
        found = await nc.jetstream().subscribe(
            "tbms.patients.investigation.saved.v1", ordered_consumer=True, deliver_policy=policy
        )
        patient = await make_patient(category="recovered")
        await plan(client, patient, ended_on="2025-03-31")
        body = {"items": {"symptoms": [{"symptom": "cough", "onset_on": "2025-01-10"}], "diagnosed_on": "2025-03-01"}}
        await ok(await client.put(f"/patients/{patient['id']}/investigation", json=body, headers=NURSE))

        async def next_of(sub: Any) -> dict[str, Any]:
            while True:
                payload = json.loads((await sub.next_msg(timeout=30)).data)["payload"]
                record = payload.get("followup_exam") or payload.get("investigation")
                if record["patient_id"] == patient["id"]:
                    return payload

        exam = await next_of(exams)
        assert exam["created"] and exam["followup_exam"]["seq"] == 1 and exam["followup_exam"]["due_on"] == "2025-09-30"
        assert exam["followup_exam"]["basis"].startswith("結核回復者は治療終了後2年間登録")
        investigation = (await next_of(found))["investigation"]
        assert investigation["period"]["start"] == "2024-10-10" and investigation["period"]["case"] == "cough_onset"
        # a treatment recorded later ends the period: the printed sheet's copy receives it as a new version
        treatment = {"regimen": "2HREZ/4HR", "started_on": "2025-03-05"}
        await ok(await client.post(f"/patients/{patient['id']}/treatments", json=treatment, headers=NURSE), 201)
        again = await next_of(found)
        assert again["investigation"]["version"] == investigation["version"] + 1
        assert again["investigation"]["period"]["end"] == "2025-03-05"
    finally:
        await nc.close()
