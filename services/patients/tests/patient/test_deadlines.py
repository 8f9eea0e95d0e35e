"""The patient's open alerts travel as deadlines in its events, for the workflow service's to-dos (R11)."""

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from patients.patient.alerts import Alert
from patients.patient.deadlines import deadlines_of
from patients.patient.models import Patient
from sqlalchemy import text
from tbms_contracts.patients import PatientSnapshot
from tbms_core.clock import today
from tbms_testing import auth_headers

PERSON = {
    "name": "試験 期限",
    "name_kana": "シケン キゲン",
    "sex": "female",
    "birth_date": "1980-04-01",
    "district": "世田谷",
    "nurse": "nurse1",
}


async def snapshots(client: httpx.AsyncClient, patient_id: str) -> list[dict[str, Any]]:
    """The patient snapshots the patient's events carry, oldest first (read from the outbox)."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = (
            await session.scalars(
                text(
                    "SELECT payload FROM outbox WHERE payload->>'aggregate_id' = :id "
                    "AND subject LIKE 'tbms.patients.patient.%' ORDER BY created_at"
                ),
                {"id": patient_id},
            )
        ).all()
    return [row["payload"]["patient"] for row in rows]


class TestDeadlinesInEvents:
    """PatientRegistered and PatientUpdated carry the open alerts as deadlines, keyed stably."""

    @pytest.mark.req("R11", partial=True)
    async def test_a_missing_notification_date_is_a_deadline_until_it_is_entered(
        self, client: httpx.AsyncClient
    ) -> None:
        registered_on = today() - timedelta(days=3)
        body = {**PERSON, "category": "patient", "registered_on": registered_on.isoformat()}
        response = await client.post("/patients", json=body, headers=auth_headers("nurse1"))
        assert response.status_code == 201, response.text
        patient = response.json()

        registered = (await snapshots(client, patient["id"]))[-1]
        [deadline] = [d for d in registered["deadlines"] if d["kind"] == "notification_date_missing"]
        assert deadline["key"] == f"patients:patient:{patient['id']}:notification_date_missing:1"
        assert deadline["due_on"] == registered_on.isoformat() and deadline["team"] == "世田谷"
        assert deadline["nurse"] == "nurse1" and deadline["record"]["service"] == "patients"
        assert "発生届" in deadline["rule"] and deadline["record"]["label"].endswith("試験 期限")

        change = {
            "version": patient["version"],
            "changes": {"notification": {"notified_on": registered_on.isoformat()}},
        }
        corrected = await client.patch(f"/patients/{patient['id']}", json=change, headers=auth_headers("nurse1"))
        assert corrected.status_code == 200, corrected.text
        updated = (await snapshots(client, patient["id"]))[-1]
        assert updated["version"] == 2
        assert not [d for d in updated["deadlines"] if d["kind"] == "notification_date_missing"]

    async def test_a_provisional_registration_is_due_30_days_after_registering(self, client: httpx.AsyncClient) -> None:
        registered_on = today() - timedelta(days=40)
        body = {**PERSON, "category": "provisional", "registered_on": registered_on.isoformat()}
        patient = (await client.post("/patients", json=body, headers=auth_headers("nurse1"))).json()
        [deadline] = (await snapshots(client, patient["id"]))[-1]["deadlines"]
        assert deadline["kind"] == "provisional_registration_pending"
        assert deadline["due_on"] == (registered_on + timedelta(days=30)).isoformat()

    def test_an_old_event_without_deadlines_still_reads(self) -> None:
        old = {
            "id": str(uuid.uuid4()),
            "version": 3,
            "registration_no": "2026-0001",
            "registered_on": "2026-04-01",
            "category": "patient",
            "name": "試験 旧版",
            "name_kana": "シケン キュウハン",
            "sex": "male",
            "birth_date": "1970-03-01",
        }
        assert PatientSnapshot.model_validate(old).deadlines == []


class TestKeys:
    """One key per rule and ordinal: a moved date keeps the key; alerts without a date are left out."""

    def test_keys_count_alerts_of_one_rule_and_skip_undated_ones(self) -> None:
        patient = Patient(id=uuid.uuid4(), registration_no="2026-0002", name="試験 鍵", nurse="", district="北沢")
        alerts = [
            Alert("treatment_overdue", "warning", "一つ目", "treatments", date(2026, 5, 1)),
            Alert("treatment_overdue", "warning", "二つ目", "treatments", date(2026, 6, 1)),
            Alert("something_undated", "info", "日付なし", "basic"),
        ]
        found = deadlines_of(patient, alerts)
        assert [d.key.rsplit(":", 2)[1:] for d in found] == [["treatment_overdue", "1"], ["treatment_overdue", "2"]]
        assert {d.team for d in found} == {"北沢"} and found[1].due_on == date(2026, 6, 1)
