"""POST /admin/backfill/care-records, /followup-exams, /investigations and /board-records (`tbms replay reports`):
missing and older records are stored as their consumers store them, a newer one an event brought is kept; GET of the
same paths lists the ids and versions of each kind held, for `tbms reconcile` (R28)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from reports.board_record.models import BoardRecord
from reports.board_record.repository import BoardRecordRepository
from reports.care_record.models import CareRecord
from tbms_contracts.patients import (
    BoardRecordSaved,
    BoardRecordSnapshot,
    CareRecordSnapshot,
    FollowupExamSaved,
    FollowupExamSnapshot,
    InvestigationSaved,
    InvestigationSnapshot,
    LabResultSnapshot,
)
from tbms_core.events import Envelope
from tbms_testing import LiveAuthHeaders, wait_for
from tbms_testing.events import publish

MakeRecord = Callable[..., CareRecordSnapshot]
Publish = Callable[[LabResultSnapshot | CareRecordSnapshot], Awaitable[Envelope]]
RecordOf = Callable[[str], Awaitable[CareRecord | None]]
ADMIN, NURSE = LiveAuthHeaders("admin1"), LiveAuthHeaders("nurse1")
NOTE = {"noted_on": "2026-04-10", "kind": "visit", "text": "自宅を訪問し服薬状況を確認。", "author_name": "保健 太郎"}
pytestmark = pytest.mark.req("R28", partial=True)


async def at_version(record_of: Callable[[str], Awaitable[Any]], record_id: str, version: int) -> Any:
    """The record once it has reached a version, else None."""
    record = await record_of(record_id)
    return record if record is not None and record.version >= version else None


async def backfill(client: httpx.AsyncClient, kind: str, snapshots: list[Any]) -> dict[str, int]:
    body = {"items": [snapshot.model_dump(mode="json") for snapshot in snapshots]}
    answer = await client.post(f"/admin/backfill/{kind}", json=body, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    refused = await client.post(f"/admin/backfill/{kind}", json=body, headers=NURSE)
    assert refused.status_code == 403
    return answer.json()


async def held_versions(client: httpx.AsyncClient, kind: str) -> dict[str, int]:
    """Every id and version the read model lists for a kind, page after page."""
    held: dict[str, int] = {}
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 5000} | ({"after": after} if after else {})
        answer = await client.get(f"/admin/backfill/{kind}", params=params, headers=ADMIN)
        assert answer.status_code == 200, answer.text
        held |= {item["id"]: item["version"] for item in answer.json()["items"]}
        if not (after := answer.json()["next_after"]):
            assert (await client.get(f"/admin/backfill/{kind}", headers=NURSE)).status_code == 403
            return held


def exam(patient_id: str, exam_id: str, version: int, **data: object) -> FollowupExamSnapshot:
    return FollowupExamSnapshot(
        id=exam_id,
        patient_id=patient_id,
        version=version,
        seq=1,
        due_on="2026-08-31",  # type: ignore[arg-type]
        reason="治療終了日（令和7年8月31日）から12か月",
        profile="standard",
        profile_label="治療終了後2年間・6か月ごと",
        basis="結核回復者は治療終了後2年間登録",
        ended_on="2025-08-31",  # type: ignore[arg-type]
        data=data,
        labels={"place": "保健所"} if data.get("place") == "health_center" else {},
    )


def investigation(patient_id: str, record_id: str, version: int, interviewer: str) -> InvestigationSnapshot:
    return InvestigationSnapshot(
        id=record_id,
        patient_id=patient_id,
        version=version,
        interviewed_on="2026-04-02",  # type: ignore[arg-type]
        interviewer=interviewer,
        items={"symptoms": [{"symptom": "cough", "onset_on": "2026-01-10"}]},
        period={"start": "2025-10-10", "end": "2026-04-01", "case": "cough_onset", "rule": "咳の出現の3か月前から"},
        delays=[{"kind": "patient", "since": "2026-01-10", "until": "2026-03-01", "delayed": True}],
    )


def board_record(record_id: str, version: int, patient_id: str = "", **data: object) -> BoardRecordSnapshot:
    kind = "case" if patient_id else "session"
    return BoardRecordSnapshot(id=record_id, patient_id=patient_id, version=version, kind=kind, data=data)


async def test_care_records_missing_or_older_are_stored_and_newer_ones_kept(
    client: httpx.AsyncClient, make_care_record: MakeRecord, publish_record: Publish, care_record_of: RecordOf
) -> None:
    patient_id = str(uuid.uuid4())
    lost = make_care_record(patient_id, "treatment", {"regimen": "2HREZ/4HR", "started_on": "2026-04-08"}, version=2)
    behind = make_care_record(patient_id, "progress_note", NOTE, labels={"kind": "家庭訪問"})
    ahead = make_care_record(patient_id, "dots_plan", {"intensity": "A"}, version=4, labels={"intensity": "A"})
    await publish_record(behind)
    await publish_record(ahead)
    await wait_for(lambda: care_record_of(behind.id), timeout=15)
    await wait_for(lambda: at_version(care_record_of, ahead.id, 4), timeout=15)
    corrected = behind.model_copy(update={"version": 2, "data": NOTE | {"text": "電話で確認。"}})
    older = ahead.model_copy(update={"version": 3, "data": {"intensity": "C"}})

    assert await backfill(client, "care-records", [lost, corrected, older]) == {
        "received": 3,
        "applied": 2,
        "current": 1,
    }
    held = {r.id: r for r in [await care_record_of(s.id) for s in (lost, behind, ahead)] if r}
    assert [(held[uuid.UUID(s.id)].version, held[uuid.UUID(s.id)].data) for s in (lost, behind, ahead)] == [
        (2, lost.data),
        (2, corrected.data),
        (4, {"intensity": "A"}),
    ]
    assert held[uuid.UUID(lost.id)].kind == "treatment" and held[uuid.UUID(behind.id)].labels == {"kind": "家庭訪問"}
    listed = await held_versions(client, "care-records")
    assert {s.id: listed[s.id] for s in (lost, behind, ahead)} == {lost.id: 2, behind.id: 2, ahead.id: 4}


async def test_exams_and_investigations_are_stored_as_their_events_store_them_and_listed_apart(
    client: httpx.AsyncClient, care_record_of: RecordOf
) -> None:
    patient_id = str(uuid.uuid4())
    by_event, by_backfill, stale = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    found_by_event, found_by_backfill = str(uuid.uuid4()), str(uuid.uuid4())
    data = {"appointment_on": "2027-01-12", "appointment_time": "14:00", "place": "health_center"}
    sent = exam(patient_id, by_event, 2, **data)
    await publish(Envelope.of(FollowupExamSaved(followup_exam=sent), aggregate_id=by_event, version=2, actor="test"))
    await publish(
        Envelope.of(FollowupExamSaved(followup_exam=exam(patient_id, stale, 3)), aggregate_id=stale, version=3)
    )
    told = investigation(patient_id, found_by_event, 1, "保健 太郎")
    await publish(Envelope.of(InvestigationSaved(investigation=told), aggregate_id=found_by_event, version=1))
    await wait_for(lambda: at_version(care_record_of, by_event, 2), timeout=15)
    await wait_for(lambda: at_version(care_record_of, stale, 3), timeout=15)
    await wait_for(lambda: care_record_of(found_by_event), timeout=15)

    exams = [sent.model_copy(update={"id": by_backfill}), exam(patient_id, stale, 2, note="古い版")]
    assert await backfill(client, "followup-exams", exams) == {"received": 2, "applied": 1, "current": 1}
    twin = told.model_copy(update={"id": found_by_backfill})
    assert await backfill(client, "investigations", [twin, told]) == {"received": 2, "applied": 1, "current": 1}

    def kept(record: CareRecord | None) -> tuple[Any, ...]:
        assert record is not None
        return record.kind, record.version, record.data, record.labels

    assert kept(await care_record_of(by_backfill)) == kept(await care_record_of(by_event))
    assert kept(await care_record_of(found_by_backfill)) == kept(await care_record_of(found_by_event))
    assert (await care_record_of(stale)).version == 3  # type: ignore[union-attr]
    exam_versions = await held_versions(client, "followup-exams")
    investigation_versions = await held_versions(client, "investigations")
    care_versions = await held_versions(client, "care-records")
    assert {key: exam_versions.get(key) for key in (by_event, by_backfill, stale)} == {
        by_event: 2,
        by_backfill: 2,
        stale: 3,
    }
    assert {key: investigation_versions.get(key) for key in (found_by_event, found_by_backfill)} == {
        found_by_event: 1,
        found_by_backfill: 1,
    }
    ours = {by_event, by_backfill, stale, found_by_event, found_by_backfill}
    assert not ours & set(care_versions) and not set(exam_versions) & set(investigation_versions)


async def test_board_records_missing_or_older_are_stored_and_newer_ones_kept(client: httpx.AsyncClient) -> None:
    async def board_record_of(record_id: str) -> BoardRecord | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await session.get(BoardRecord, uuid.UUID(record_id), populate_existing=True)

    patient_id = str(uuid.uuid4())
    session_id, lost_id, behind_id = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    ahead = board_record(session_id, 3, place="第1会議室", status="held")
    behind = board_record(behind_id, 1, patient_id, session_id=session_id, decision="")
    for snapshot in (ahead, behind):
        event = BoardRecordSaved(board_record=snapshot, created=snapshot.version == 1)
        await publish(Envelope.of(event, aggregate_id=snapshot.id, version=snapshot.version, actor="test"))
    await wait_for(lambda: at_version(board_record_of, session_id, 3), timeout=15)
    await wait_for(lambda: board_record_of(behind_id), timeout=15)
    page = [
        board_record(lost_id, 2, patient_id, session_id=session_id, decision="approved"),
        behind.model_copy(update={"version": 2, "data": {"session_id": session_id, "decision": "refused"}}),
        ahead.model_copy(update={"version": 2, "data": {"place": "古い会議室", "status": "planned"}}),
    ]

    assert await backfill(client, "board-records", page) == {"received": 3, "applied": 2, "current": 1}
    held = [await board_record_of(key) for key in (lost_id, behind_id, session_id)]
    assert [(r.version, r.kind, r.data.get("decision") or r.data.get("place")) for r in held if r] == [
        (2, "case", "approved"),
        (2, "case", "refused"),
        (3, "session", "第1会議室"),
    ]
    assert held[2] is not None and held[2].patient_id is None
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        cases = await BoardRecordRepository(session).cases_of_session(uuid.UUID(session_id))
    assert {str(case.id) for case in cases} == {lost_id, behind_id}
    listed = await held_versions(client, "board-records")
    assert {key: listed[key] for key in (lost_id, behind_id, session_id)} == {lost_id: 2, behind_id: 2, session_id: 3}
