"""PatientRecordDeleted (N17): the index-case copy keeps only the registration number; an older snapshot delivered
late does not bring the personal data back."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import pytest
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import patient_event, publish

pytestmark = pytest.mark.req("N17", partial=True)
Claimed = Callable[[uuid.UUID], Awaitable[bool]]


def deleted(patient_id: uuid.UUID, version: int) -> Envelope:
    event = PatientRecordDeleted(
        patient_id=str(patient_id),
        registration_no="2024-00077",
        excluded_on=date(2024, 1, 10),
        deleted_on=date(2026, 3, 1),
        deletion_id=str(uuid.uuid4()),
    )
    return Envelope.of(event, aggregate_id=patient_id, version=version, actor="test")


async def test_the_index_case_copy_loses_its_personal_data(client: httpx.AsyncClient, claimed: Claimed) -> None:
    patient_id = uuid.uuid4()
    await publish(patient_event(patient_id, 2, "試験 三郎", registration_no="2024-00077", name_kana="シケン サブロウ"))

    async def case() -> dict | None:
        response = await client.get(f"/index-cases/{patient_id}", headers=auth_headers("nurse1"))
        return response.json() if response.status_code == 200 else None

    assert (await wait_for(case))["name"] == "試験 三郎"
    deletion = deleted(patient_id, 3)
    await publish(deletion)
    await wait_for(lambda: claimed(deletion.event_id), timeout=15)
    late = patient_event(patient_id, 2, "試験 三郎", registration_no="2024-00077", name_kana="シケン サブロウ")
    await publish(late, deleted(patient_id, 3))
    await wait_for(lambda: claimed(late.event_id), timeout=15)
    held = await case()
    assert held is not None and held["registration_no"] == "2024-00077"
    assert "三郎" not in str(held) and "サブロウ" not in str(held) and not held["birth_date"]
