"""`tbms reconcile` on the running stack: a patient and a test result lost from reports' read models and a patient
left behind in contacts' are found by comparing versions with the patients service, repaired from its current state,
and the repair is kept in identity's operations log; a second run finds nothing of them (R28, N18)."""

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
    nurse, admin = auth_headers("nurse1"), auth_headers("admin1")
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
    patient_id, version = first["id"], corrected.json()["version"]
    result_id, result_version = result.json()["id"], result.json()["version"]

    async def caught_up() -> bool:
        reports = await held("tbms_reports", patient_id)
        contacts = await held("tbms_contacts", patient_id)
        lab = await held("tbms_reports", result_id, "lab_result")
        return reports == version and contacts == version and lab == result_version

    await wait_for(caught_up, timeout=30)
    # drift as lost events leave it: reports never got the patient nor the result, contacts missed the correction
    await change("tbms_reports", "DELETE FROM patient_summaries WHERE id = $1", patient_id)
    await change("tbms_reports", "DELETE FROM lab_result_summaries WHERE id = $1", result_id)
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
    assert await held("tbms_reports", patient_id) is None, "a check changes nothing"

    lines: list[str] = []
    reconcile.reconcile(report=lines.append, report_file=tmp_path / "repair.json")
    repaired = by_kind(tmp_path / "repair.json")
    assert all(repaired[key]["repaired"] >= 1 for key in found), {key: d["repaired"] for key, d in repaired.items()}
    assert await caught_up(), "every read model holds the current version again"
    assert any(line.startswith("[reports lab-results] run ") and "repaired" in line for line in lines)
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
        late = {patient_id, result_id} & set(drift["missing"] + drift["behind"])
        assert not late, f"{drift['read_model']} {drift['kind']} still drifts"
