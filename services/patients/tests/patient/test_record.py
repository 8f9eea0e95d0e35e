"""The whole record of a patient in one read: what the patient page and its header show (R30)."""

import json
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from tbms_testing import auth_headers

MakePatient = Callable[..., Awaitable[dict[str, Any]]]
SMEAR = {"kind": "smear", "specimen": "喀痰", "collected_on": "R8.10.1", "details": {"grade": "2+"}}


async def record_of(client: httpx.AsyncClient, patient_id: str, user: str = "viewer1") -> httpx.Response:
    """GET /patients/{id}/record as a user."""
    return await client.get(f"/patients/{patient_id}/record", headers=auth_headers(user))


@pytest.mark.req("R30")
class TestPatientRecord:
    """One call gives the patient page the patient, history, results, care records and alerts."""

    async def test_every_part_is_there_and_agrees_with_the_single_reads(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="patient")
        base, nurse = f"/patients/{patient['id']}", auth_headers("nurse1")
        assert (await client.post(f"{base}/lab-results", json=SMEAR, headers=nurse)).status_code == 201
        course = {"regimen": "2HREZ/4HR", "started_on": "R8.10.5", "planned_end_on": "2027-04-04"}
        assert (await client.post(f"{base}/treatments", json=course, headers=nurse)).status_code == 201
        note = {"noted_on": "R8.10.6", "kind": "visit", "text": "家庭訪問。服薬確認。"}
        assert (await client.post(f"{base}/notes", json=note, headers=nurse)).status_code == 201
        fix = {"version": 1, "changes": {"phone": "03-0000-1111"}, "reason": "電話番号の追加"}
        assert (await client.patch(base, json=fix, headers=nurse)).status_code == 200

        response = await record_of(client, patient["id"])
        assert response.status_code == 200, response.text
        record = response.json()
        single = (await client.get(base, headers=auth_headers("viewer1"))).json()
        assert record["patient"] == single
        assert record["patient"]["classification_code"]  # derived from the results and treatments read once
        assert [r["summary"] for r in record["lab_results"]] == [
            r["summary"]
            for r in (await client.get(f"{base}/lab-results", headers=auth_headers("viewer1"))).json()["items"]
        ]
        assert record["history"][0]["reason"] == "電話番号の追加"
        assert [t["data"]["regimen"] for t in record["care"]["treatments"]] == ["2HREZ/4HR"]
        assert record["care"]["notes"][0]["data"]["author_name"]
        assert record["care"]["hospitalisations"] == [] and record["care"]["transfers"] == []
        assert isinstance(record["alerts"], list)
        assert all({"code", "level", "message", "section"} <= set(alert) for alert in record["alerts"])

    async def test_open_alerts_come_from_the_stored_facts(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient(category="patient")
        base, nurse = f"/patients/{patient['id']}", auth_headers("nurse1")
        course = {"regimen": "2HREZ/4HR", "started_on": "2026-01-05", "planned_end_on": "2026-07-04"}
        saved = await client.post(f"{base}/treatments", json=course, headers=nurse)
        assert saved.status_code == 201
        alerts = {a["code"]: a for a in (await record_of(client, patient["id"])).json()["alerts"]}
        assert (
            alerts["treatment_overdue"]["section"] == "treatments"
            and "令和8年7月4日" in alerts["treatment_overdue"]["message"]
        )
        assert "notification_date_missing" in alerts  # no 届出日 on the card yet
        end = {"version": 1, "changes": {"ended_on": "2026-07-04", "outcome": "completed"}}
        assert (
            await client.patch(f"{base}/treatments/{saved.json()['id']}", json=end, headers=nurse)
        ).status_code == 200
        assert "treatment_overdue" not in {a["code"] for a in (await record_of(client, patient["id"])).json()["alerts"]}

    async def test_reading_it_is_one_audited_read(self, client: httpx.AsyncClient, make_patient: MakePatient) -> None:
        patient = await make_patient()
        assert (await record_of(client, patient["id"])).status_code == 200
        assert (await record_of(client, patient["id"])).status_code == 200
        url = os.environ["TBMS_PATIENTS_DATABASE_URL"].replace("+asyncpg", "")
        conn = await asyncpg.connect(url)  # the audit events sit in the outbox of the reads' own transactions
        try:
            rows = await conn.fetch(
                "SELECT payload->'payload' AS p FROM outbox"
                " WHERE subject = $1 AND payload->'payload'->>'person_id' = $2 ORDER BY created_at",
                "tbms.audit.patients.operation.recorded.v1",
                patient["id"],
            )
        finally:
            await conn.close()
        reads = [(p["operation"], p["record_type"]) for p in (json.loads(row["p"]) for row in rows)]
        # the registration, then one read per page (not one per part); created_at ties within a transaction
        assert sorted(reads) == [("create", "patient")] + [("read", "patient_record")] * 2

    async def test_refused_without_a_login_and_missing_for_an_unknown_id(
        self, client: httpx.AsyncClient, make_patient: MakePatient
    ) -> None:
        patient = await make_patient()  # users without 患者管理: tests/system/test_access_matrix.py
        refused = await client.get(f"/patients/{patient['id']}/record")
        assert refused.status_code == 401 and "ログイン" in refused.json()["detail"]
        unknown = await record_of(client, str(uuid.uuid4()))
        assert unknown.status_code == 404 and "患者" in unknown.json()["detail"]
