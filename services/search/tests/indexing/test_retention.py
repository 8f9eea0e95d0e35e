"""PatientRecordDeleted (N17), as the patients service sends it after a retention deletion: the patient leaves the
index, and a redelivered older snapshot cannot bring them back."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core.events import Envelope
from tbms_testing import wait_for
from tbms_testing.events import patient_event, publish

from .test_consumers import found, has, processed, publish_again, unique_number

pytestmark = pytest.mark.req("N17", partial=True)


async def test_a_patient_deleted_by_retention_leaves_the_index(client: httpx.AsyncClient) -> None:
    patient_id, number = uuid.uuid4(), unique_number()
    snapshot = patient_event(patient_id, 3, "試験 保存満了", number, status="excluded", excluded_on=date(2024, 1, 10))
    await publish(snapshot)
    await wait_for(lambda: has(client, number), timeout=5)
    event = PatientRecordDeleted(
        patient_id=str(patient_id),
        registration_no=number,
        excluded_on=date(2024, 1, 10),
        deleted_on=date(2026, 3, 1),
        deletion_id=str(uuid.uuid4()),
    )
    deleted = Envelope.of(event, aggregate_id=patient_id, version=4, actor="test")
    await publish(deleted)
    await wait_for(lambda: processed(client, deleted.event_id), timeout=5)
    assert await found(client, number) == []
    await publish_again(snapshot)
    await wait_for(lambda: processed(client, snapshot.event_id), timeout=5)
    assert await found(client, number) == []
