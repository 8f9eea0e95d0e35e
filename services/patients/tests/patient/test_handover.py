"""A patient registered from a contact's page (a contact who fell ill, 接触者からの引継ぎ): PatientRegistered carries
the contact's id, so the contacts service links the contact to the new patient through the outbox (R12)."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from tbms_contracts.patients import PatientRegistered
from tbms_testing import auth_headers

PERSON = {"name": "試験 引継", "name_kana": "シケン ヒキツギ", "sex": "female", "birth_date": "1980-04-01"}


async def registered_event(client: httpx.AsyncClient, patient_id: str) -> dict[str, Any]:
    """The PatientRegistered payload the outbox holds for the patient."""
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(
            text("SELECT payload FROM outbox WHERE payload->>'aggregate_id' = :id AND subject = :s"),
            {"id": patient_id, "s": PatientRegistered.TYPE},
        )
        return next(iter(rows))["payload"]


@pytest.mark.req("R12", partial=True)
async def test_the_registered_event_names_the_contact_handed_over(client: httpx.AsyncClient) -> None:
    contact_id = str(uuid.uuid4())
    body = {**PERSON, "category": "provisional", "source_contact_id": contact_id}
    response = await client.post("/patients", json=body, headers=auth_headers("nurse1"))
    assert response.status_code == 201, response.text
    event = await registered_event(client, response.json()["id"])
    assert event["source_contact_id"] == contact_id and event["patient"]["name"] == "試験 引継"

    plain = await client.post("/patients", json={**PERSON, "category": "patient"}, headers=auth_headers("nurse1"))
    assert (await registered_event(client, plain.json()["id"]))["source_contact_id"] == ""
    wrong = await client.post("/patients", json={**body, "source_contact_id": "x"}, headers=auth_headers("nurse1"))
    assert wrong.status_code == 422 and "source_contact_id" in wrong.json()["errors"]
