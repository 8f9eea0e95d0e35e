"""`tbms reconcile` on the running stack: a patient, a test result, a treatment, a 管理検診, a 行動調査 and a 診査会
case lost from reports' read models (or left behind there, as a 診査会 session) and a patient left behind in
contacts' are found by comparing versions with the patients service, repaired from its current state, and the repair
is kept in identity's operations log; a second run finds nothing of them (R28, N18)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from tbms_testing import wait_for
from tbms_tools import config, reconcile
from tbms_tools.keycloak import auth_headers

PATIENT = {
    "name_kana": "シケン ショウゴウ",
    "sex": "female",
    "birth_date": "S52.4.1",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町7-7-7",
    "district": "世田谷",
}


READ_MODELS = {  # (database, kind): the version it holds of a record
    ("tbms_reports", "patient"): "SELECT version FROM patient_summaries WHERE id = $1",
    ("tbms_reports", "lab_result"): "SELECT version FROM lab_result_summaries WHERE id = $1",
    ("tbms_reports", "care_record"): "SELECT version FROM care_record_summaries WHERE id = $1",
    ("tbms_reports", "board_record"): "SELECT version FROM board_record_summaries WHERE id = $1",
    ("tbms_contacts", "patient"): "SELECT version FROM index_cases WHERE patient_id = $1",
}


async def held(database: str, record_id: str, kind: str = "patient") -> int | None:
    """The version a read model holds of a record (None when it holds none), read as the database owner."""
    connection = await asyncpg.connect(host=config.HOST, port=config.PG_PORT, user=config.PG_USER, database=database)
    try:
        return await connection.fetchval(READ_MODELS[database, kind], uuid.UUID(record_id))
    finally:
        await connection.close()


async def change(database: str, statement: str, patient_id: str) -> None:
    connection = await asyncpg.connect(host=config.HOST, port=config.PG_PORT, user=config.PG_USER, database=database)
    try:
        assert not (await connection.execute(statement, uuid.UUID(patient_id))).endswith(" 0"), "no row changed"
    finally:
        await connection.close()


@pytest.mark.req("R28", partial=True)
@pytest.mark.req("N18", partial=True)
async def test_drift_is_found_repaired_and_logged(tmp_path: Path) -> None:
    nurse, clerk, admin = auth_headers("nurse1"), auth_headers("clerk1"), auth_headers("admin1")
    async with httpx.AsyncClient(base_url=config.service_url("patients"), timeout=30) as patients:
        registered = await patients.post("/patients", json=PATIENT | {"name": "試験 照合"}, headers=nurse)
        assert registered.status_code == 201, registered.text
        first = registered.json()
        corrected = await patients.patch(
            f"/patients/{first['id']}",
            json={"version": first["version"], "changes": {"phone": "03-0000-0001"}},
            headers=nurse,
        )
        assert corrected.status_code == 200, corrected.text
        smear = {"kind": "smear", "specimen": "喀痰", "collected_on": "R8.11.2", "details": {"grade": "1+"}}
        result = await patients.post(f"/patients/{first['id']}/lab-results", json=smear, headers=nurse)
        assert result.status_code == 201, result.text
        base = f"/patients/{first['id']}"
        course = {"regimen": "2HREZ/4HR", "started_on": "2026-11-05"}
        treatment = await patients.post(f"{base}/treatments", json=course, headers=nurse)
        assert treatment.status_code == 201, treatment.text
        followup = await patients.put(f"{base}/followup/plan", json={"ended_on": "2026-05-31"}, headers=nurse)
        assert followup.status_code == 200, followup.text
        interview = {"items": {"symptoms": [{"symptom": "cough", "onset_on": "2026-09-10"}]}}
        investigation = await patients.put(f"{base}/investigation", json=interview, headers=nurse)
        assert investigation.status_code == 200, investigation.text
        meeting = {"held_at": "2026-12-10T14:00:00+09:00", "place": "照合試験会議室", "quorum": 0}
        board_session = await patients.post("/board/sessions", json=meeting, headers=clerk)
        assert board_session.status_code == 201, board_session.text
        application = {"patient_id": first["id"], "kind": "37-2_new", "received_on": "2026-11-20", "summary": "照合"}
        case = await patients.post("/board/cases", json=application, headers=clerk)
        assert case.status_code == 201, case.text
    patient_id, version = first["id"], corrected.json()["version"]
    result_id, result_version = result.json()["id"], result.json()["version"]
    care = {  # id: version of each record the care-record read model keeps (kept in one table, compared per kind)
        treatment.json()["id"]: treatment.json()["version"],
        followup.json()["exams"][0]["id"]: followup.json()["exams"][0]["version"],
        investigation.json()["id"]: investigation.json()["version"],
    }
    treatment_id, exam_id, investigation_id = care
    board = {board_session.json()["id"]: board_session.json()["version"], case.json()["id"]: case.json()["version"]}
    session_id, case_id = board

    async def caught_up() -> bool:
        reports = await held("tbms_reports", patient_id)
        contacts = await held("tbms_contacts", patient_id)
        lab = await held("tbms_reports", result_id, "lab_result")
        cares = [await held("tbms_reports", key, "care_record") for key in care]
        boards = [await held("tbms_reports", key, "board_record") for key in board]
        return (
            reports == version
            and contacts == version
            and lab == result_version
            and cares == list(care.values())
            and boards == list(board.values())
        )

    await wait_for(caught_up, timeout=30)
    # drift as lost events leave it: reports never got the patient, the result, the treatment, the investigation nor
    # the case and missed the exam's and the session's newest version; contacts missed the patient's correction
    await change("tbms_reports", "DELETE FROM patient_summaries WHERE id = $1", patient_id)
    await change("tbms_reports", "DELETE FROM lab_result_summaries WHERE id = $1", result_id)
    for lost in (treatment_id, investigation_id):
        await change("tbms_reports", "DELETE FROM care_record_summaries WHERE id = $1", lost)
    await change("tbms_reports", "UPDATE care_record_summaries SET version = version - 1 WHERE id = $1", exam_id)
    await change("tbms_reports", "DELETE FROM board_record_summaries WHERE id = $1", case_id)
    await change("tbms_reports", "UPDATE board_record_summaries SET version = version - 1 WHERE id = $1", session_id)
    await change("tbms_contacts", "UPDATE index_cases SET version = version - 1 WHERE patient_id = $1", patient_id)

    def by_kind(report_file: Path) -> dict[tuple[str, str], dict]:  # type: ignore[type-arg]
        drifts = json.loads(report_file.read_text("utf-8"))
        return {(drift["read_model"], drift["kind"]): drift for drift in drifts}

    checked = reconcile.reconcile(fix=False, report=lambda _: None, report_file=tmp_path / "check.json")
    assert checked == 1, "--check reports drift with a non-zero exit"
    found = by_kind(tmp_path / "check.json")
    assert patient_id in found["reports", "patients"]["missing"]
    assert result_id in found["reports", "lab-results"]["missing"]
    assert patient_id in found["contacts", "patients"]["behind"]
    assert treatment_id in found["reports", "care-records"]["missing"]
    assert exam_id in found["reports", "followup-exams"]["behind"]
    assert investigation_id in found["reports", "investigations"]["missing"]
    assert case_id in found["reports", "board-records"]["missing"]
    assert session_id in found["reports", "board-records"]["behind"]
    assert not {exam_id, investigation_id} & set(found["reports", "care-records"]["unknown"]), "each kind apart"
    assert await held("tbms_reports", patient_id) is None, "a check changes nothing"
    assert await held("tbms_reports", treatment_id, "care_record") is None

    lines: list[str] = []
    reconcile.reconcile(report=lines.append, report_file=tmp_path / "repair.json")
    repaired = by_kind(tmp_path / "repair.json")
    assert all(repaired[key]["repaired"] >= 1 for key in found), {key: d["repaired"] for key, d in repaired.items()}
    assert await caught_up(), "every read model holds the current version again"
    for kind in ("lab-results", "care-records", "followup-exams", "investigations", "board-records"):
        assert any(line.startswith(f"[reports {kind}] run ") and "repaired" in line for line in lines), kind
    assert "試験" not in (tmp_path / "repair.json").read_text("utf-8"), "ids and counts, never a name"

    runs = {(d["read_model"], d["kind"], d["run"]) for d in repaired.values()}
    async with httpx.AsyncClient(base_url=config.service_url("identity"), timeout=30) as identity:

        async def logged() -> list[dict]:  # type: ignore[type-arg]
            answer = await identity.get(
                "/operations-log", params={"kind": "reconciliation_repair", "limit": "500"}, headers=admin
            )
            assert answer.status_code == 200, answer.text
            wanted = {run for _, _, run in runs}
            items = [item for item in answer.json()["items"] if item["details"].get("run") in wanted]
            return items if len(items) == len(runs) else []

        entries = await wait_for(logged, timeout=30)
    logged_runs = {(e["component"], e["details"]["read_model"], e["details"]["run"]) for e in entries}  # type: ignore[union-attr]
    assert logged_runs == runs

    reconcile.reconcile(fix=False, report=lambda _: None, report_file=tmp_path / "again.json")
    for drift in json.loads((tmp_path / "again.json").read_text("utf-8")):
        late = {patient_id, result_id, *care, *board} & set(drift["missing"] + drift["behind"])
        assert not late, f"{drift['read_model']} {drift['kind']} still drifts"
