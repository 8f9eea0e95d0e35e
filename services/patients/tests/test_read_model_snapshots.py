"""GET /admin/snapshots/care-records, /followup-exams, /investigations and /board-records: every record's current
snapshot in id order, exactly as its newest event carried it, for `tbms replay reports`; their versions and the
records named by id, for `tbms reconcile` (R28)."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_core.jp.check_digits import modulus10_check_digit
from tbms_testing import LiveAuthHeaders

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
ADMIN, CLERK, NURSE = LiveAuthHeaders("admin1"), LiveAuthHeaders("clerk1"), LiveAuthHeaders("nurse1")
MISSING = "00000000-0000-4000-8000-000000000000"
PAGE = 25  # small pages, so a walk crosses several
pytestmark = pytest.mark.req("R28", partial=True)


async def ok(response: httpx.Response, code: int = 200) -> Any:
    assert response.status_code == code, response.text
    return response.json()


async def walk(client: httpx.AsyncClient, path: str) -> dict[str, dict[str, Any]]:
    """Every item of the pages at `path`, by id; each page in id order, none after the last page, no id twice."""
    seen: dict[str, dict[str, Any]] = {}
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": PAGE} | ({"after": after} if after else {})
        page = await ok(await client.get(path, params=params, headers=ADMIN))
        ids = [item["id"] for item in page["items"]]
        assert ids == sorted(ids) and not set(ids) & set(seen) and len(ids) <= PAGE
        assert all(key > after for key in ids) if after else True
        seen |= {item["id"]: item for item in page["items"]}
        if not (after := page["next_after"]):
            return seen


async def newest_events(client: httpx.AsyncClient, subject: str, key: str, **match: str) -> dict[str, Any]:
    """The snapshot the newest event of each record matching (a patient's, or one by id) carried, by record id, as
    the outbox holds them."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload FROM outbox WHERE subject = :subject"
                " AND payload->'payload' @> CAST(:match AS jsonb) ORDER BY created_at, id"
            ),
            {"subject": subject, "match": json.dumps({key: match})},
        )
        newest: dict[str, Any] = {}
        for envelope in rows:
            snapshot = envelope["payload"][key]
            assert envelope["aggregate_version"] == snapshot["version"]  # what the consumer stores as the version
            newest[snapshot["id"]] = snapshot
        return newest


async def handed_out(client: httpx.AsyncClient, kind: str) -> list[dict[str, Any]]:
    """The operation history's records (still in the outbox) of snapshots of `kind` handed out, oldest first."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text(
                "SELECT payload->'payload' FROM outbox WHERE subject = 'tbms.audit.patients.operation.recorded.v1'"
                " AND payload->'payload'->>'record_type' = :type ORDER BY created_at, id"
            ),
            {"type": f"snapshots:{kind}"},
        )
        return list(rows)


async def proves_rebuild(client: httpx.AsyncClient, kind: str, events: dict[str, Any]) -> None:
    """Each record's snapshot is its newest event's; the versions page agrees; `id` fetches the ones named; a nurse
    (no 監査の更新) is refused. Every page handed out is in the operation history, and a fetch by id once per person
    it names (N05)."""
    assert events, "the records were published"
    snapshots = await walk(client, f"/admin/snapshots/{kind}")
    assert {key: snapshots.get(key) for key in events} == events
    versions = await walk(client, f"/admin/snapshots/{kind}/versions")
    assert {key: versions[key]["version"] for key in events} == {key: e["version"] for key, e in events.items()}
    assert set(versions) == set(snapshots)
    pages = [record for record in await handed_out(client, kind) if record["person_id"] is None]
    assert pages and all(record["username"] == "admin1" and record["operation"] == "read" for record in pages)
    named = sorted(events)[:2]
    params = [("id", key) for key in [*reversed(named), MISSING]]
    before = len(await handed_out(client, kind))
    answer = await ok(await client.get(f"/admin/snapshots/{kind}", params=params, headers=ADMIN))
    assert [item["id"] for item in answer["items"]] == named and answer["next_after"] is None
    persons = {item["patient_id"] for item in answer["items"]} - {""}
    recorded = (await handed_out(client, kind))[before:]
    assert sorted(record["person_id"] for record in recorded) == sorted(persons), "one read per person named"
    for path in (f"/admin/snapshots/{kind}", f"/admin/snapshots/{kind}/versions"):
        assert (await client.get(path, headers=NURSE)).status_code == 403


async def test_care_records_and_dots_records_come_as_their_newest_events_carried_them(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient()
    base = f"/patients/{patient['id']}"
    course = {"regimen": "2HREZ/4HR", "started_on": "2025-01-10", "ended_on": "2025-07-09", "institution": "試験病院"}
    treatment = await ok(await client.post(f"{base}/treatments", json=course, headers=NURSE), 201)
    change = {"version": treatment["version"], "changes": {"institution": "試験総合病院"}, "reason": "訂正"}
    await ok(await client.patch(f"{base}/treatments/{treatment['id']}", json=change, headers=NURSE))
    note = {"noted_on": "2025-02-01", "kind": "visit", "text": "自宅を訪問し服薬を確認。"}
    await ok(await client.post(f"{base}/notes", json=note, headers=NURSE), 201)
    plan = {"starts_on": "2025-01-10", "dots_type": "visit", "intensity": "B", "treatment_id": treatment["id"]}
    await ok(await client.post(f"{base}/dots/plans", json=plan, headers=NURSE), 201)
    body = {"assessed_on": "2025-01-08", "answers": {"homeless": {"applies": True, "note": "公園で生活"}}}
    await ok(await client.post(f"{base}/dots/assessments", json=body, headers=NURSE), 201)
    day = {"confirmed_on": "2025-01-11", "method": "face_to_face", "status": "taken"}
    await ok(await client.post(f"{base}/dots/confirmations", json=day, headers=NURSE), 201)
    review = {"version": 0, "override_outcome": "completed", "override_reason": "検体不適", "meeting_note": "確認"}
    await ok(await client.put(f"{base}/dots/outcomes/{treatment['id']}", json=review, headers=NURSE))

    events = await newest_events(client, "tbms.patients.care_record.saved.v1", "care_record", patient_id=patient["id"])
    kinds = sorted(event["kind"] for event in events.values())
    assert kinds == sorted(
        ["treatment", "progress_note", "dots_plan", "dots_assessment", "dots_confirmation", "dots_cohort_review"]
    )
    assert events[treatment["id"]]["version"] == 2, "the correction's snapshot, not the first one"
    await proves_rebuild(client, "care-records", events)


async def test_followup_exams_and_the_investigation_come_as_their_newest_events_carried_them(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient(category="recovered")
    base = f"/patients/{patient['id']}"
    followup = await ok(await client.put(f"{base}/followup/plan", json={"ended_on": "2025-03-31"}, headers=NURSE))
    first = followup["exams"][0]
    body = {"version": first["version"], "changes": {"notice_sent_on": "2025-08-20", "appointment_on": "2025-09-10"}}
    await ok(await client.patch(f"{base}/followup/exams/{first['id']}", json=body, headers=NURSE))
    found = {"items": {"symptoms": [{"symptom": "cough", "onset_on": "2025-01-10"}], "diagnosed_on": "2025-03-01"}}
    await ok(await client.put(f"{base}/investigation", json=found, headers=NURSE))
    treatment = {"regimen": "2HREZ/4HR", "started_on": "2025-03-05"}  # ends the period: a new investigation version
    await ok(await client.post(f"{base}/treatments", json=treatment, headers=NURSE), 201)

    exams = await newest_events(
        client, "tbms.patients.followup_exam.saved.v1", "followup_exam", patient_id=patient["id"]
    )
    assert len(exams) == len(followup["exams"]) and exams[first["id"]]["version"] == 2
    assert exams[first["id"]]["data"]["appointment_on"] == "2025-09-10" and exams[first["id"]]["basis"]
    await proves_rebuild(client, "followup-exams", exams)
    investigations = await newest_events(
        client, "tbms.patients.investigation.saved.v1", "investigation", patient_id=patient["id"]
    )
    [investigation] = investigations.values()
    assert investigation["version"] == 2 and investigation["period"]["end"] == "2025-03-05"
    await proves_rebuild(client, "investigations", investigations)


async def test_board_records_come_as_their_newest_events_carried_them(
    client: httpx.AsyncClient, make_patient: MakePatient
) -> None:
    patient = await make_patient()
    members = [{"code": "M01", "name": "委員 一郎", "role": "chair", "present": True}]
    meeting = {"held_at": "2026-11-10T14:00:00+09:00", "place": "第1会議室", "members": members, "quorum": 1}
    session = await ok(await client.post("/board/sessions", json=meeting, headers=CLERK), 201)
    body = {
        "patient_id": patient["id"],
        "session_id": session["id"],
        "kind": "37-2_new",
        "received_on": "2026-08-31",
        "summary": "咳嗽2か月",
        "institution": "試験病院",
    }
    case = await ok(await client.post("/board/cases", json=body, headers=CLERK), 201)
    decision = {
        "version": case["version"],
        "decision": "approved",
        "decided_on": "2026-09-10",
        "payer_number": f"1013101{modulus10_check_digit('1013101')}",
    }
    decided = await ok(await client.post(f"/board/cases/{case['id']}/decision", json=decision, headers=CLERK))
    card = await ok(
        await client.post(f"/board/cases/{case['id']}/cards", json={"issued_on": "2026-09-12"}, headers=CLERK), 201
    )
    measure = {"article": "18", "issued_on": "2026-04-10"}
    await ok(await client.post(f"/patients/{patient['id']}/measures", json=measure, headers=CLERK), 201)

    events = await newest_events(
        client, "tbms.patients.board_record.saved.v1", "board_record", patient_id=patient["id"]
    )
    assert sorted(event["kind"] for event in events.values()) == ["card", "case", "measure"]
    assert events[case["id"]]["version"] == decided["version"] > 1 and events[card["id"]]["kind"] == "card"
    # a session has no patient
    events |= await newest_events(client, "tbms.patients.board_record.saved.v1", "board_record", id=session["id"])
    await proves_rebuild(client, "board-records", events)
