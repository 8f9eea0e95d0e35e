"""`tbms reconcile` on the running stack: a patient lost from reports' read model and one left behind in contacts'
are found by comparing versions with the patients service, repaired from its current state, and the repair is kept
in identity's operations log; a second run finds nothing of them (R28, N18)."""

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


READ_MODELS = {  # database: the version it holds of a patient
    "tbms_reports": "SELECT version FROM patient_summaries WHERE id = $1",
    "tbms_contacts": "SELECT version FROM index_cases WHERE patient_id = $1",
}


async def held(database: str, patient_id: str) -> int | None:
    """The version a read model holds of a patient (None when it holds none), read as the database owner."""
    connection = await asyncpg.connect(host=config.HOST, port=config.PG_PORT, user=config.PG_USER, database=database)
    try:
        return await connection.fetchval(READ_MODELS[database], uuid.UUID(patient_id))
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
    patient_id, version = first["id"], corrected.json()["version"]

    async def caught_up() -> bool:
        reports = await held("tbms_reports", patient_id)
        contacts = await held("tbms_contacts", patient_id)
        return reports == version and contacts == version

    await wait_for(caught_up, timeout=30)
    # drift as lost events leave it: reports never got the patient, contacts missed the correction
    await change("tbms_reports", "DELETE FROM patient_summaries WHERE id = $1", patient_id)
    await change("tbms_contacts", "UPDATE index_cases SET version = version - 1 WHERE patient_id = $1", patient_id)

    checked = reconcile.reconcile(fix=False, report=lambda _: None, report_file=tmp_path / "check.json")
    assert checked == 1, "--check reports drift with a non-zero exit"
    found = {drift["read_model"]: drift for drift in json.loads((tmp_path / "check.json").read_text("utf-8"))}
    assert patient_id in found["reports"]["missing"] and patient_id in found["contacts"]["behind"]
    assert await held("tbms_reports", patient_id) is None, "a check changes nothing"

    lines: list[str] = []
    reconcile.reconcile(report=lines.append, report_file=tmp_path / "repair.json")
    repaired = {drift["read_model"]: drift for drift in json.loads((tmp_path / "repair.json").read_text("utf-8"))}
    assert repaired["reports"]["repaired"] >= 1 and repaired["contacts"]["repaired"] >= 1
    assert await caught_up(), "both read models hold the patient's current version again"
    assert any(line.startswith("[reports] run ") and "repaired" in line for line in lines)
    assert "試験" not in (tmp_path / "repair.json").read_text("utf-8"), "ids and counts, never a name"

    runs = {target: repaired[target]["run"] for target in ("reports", "contacts")}
    async with httpx.AsyncClient(base_url=config.service_url("identity"), timeout=30) as identity:

        async def logged() -> list[dict]:  # type: ignore[type-arg]
            answer = await identity.get(
                "/operations-log", params={"kind": "reconciliation_repair", "limit": "500"}, headers=admin
            )
            assert answer.status_code == 200, answer.text
            items = [item for item in answer.json()["items"] if item["details"].get("run") in runs.values()]
            return items if len(items) == 2 else []

        entries = await wait_for(logged, timeout=30)
    assert {(entry["component"], entry["details"]["run"]) for entry in entries} == set(runs.items())

    reconcile.reconcile(fix=False, report=lambda _: None, report_file=tmp_path / "again.json")
    for drift in json.loads((tmp_path / "again.json").read_text("utf-8")):
        assert patient_id not in drift["missing"] + drift["behind"], f"{drift['read_model']} still drifts"
