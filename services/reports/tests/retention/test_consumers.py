"""PatientRecordDeleted (N17): reports deletes the patient's read models, printed forms and every stored version of
their files, through JetStream into the in-process service; a second delivery finds nothing left and succeeds."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date

import httpx
import pytest
from minio import Minio
from reports.document.models import Document
from reports.settings import get_settings
from sqlalchemy import func, select
from tbms_contracts.patients import CareRecordSnapshot, PatientSnapshot
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

pytestmark = pytest.mark.req("N17", partial=True)
Claimed = Callable[[uuid.UUID], Awaitable[bool]]


def deleted_event(patient: PatientSnapshot) -> Envelope:
    event = PatientRecordDeleted(
        patient_id=patient.id,
        registration_no=patient.registration_no,
        excluded_on=date(2024, 1, 10),
        deleted_on=date(2026, 3, 1),
        deletion_id=str(uuid.uuid4()),
    )
    return Envelope.of(event, aggregate_id=patient.id, version=patient.version + 1, actor="test")


def versions_of(minio: Minio, key: str) -> list[object]:
    bucket = get_settings().s3_bucket
    return [o for o in minio.list_objects(bucket, prefix=key, include_version=True) if o.object_name == key]


async def documents_of(client: httpx.AsyncClient, patient_id: str) -> int:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        query = select(func.count()).select_from(Document).where(Document.patient_id == uuid.UUID(patient_id))
        return int(await session.scalar(query) or 0)


async def test_the_patients_copies_and_printed_forms_go(
    client: httpx.AsyncClient,
    registered_patient: PatientSnapshot,
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
    make_care_record: Callable[..., CareRecordSnapshot],
    publish_record: Callable[[CareRecordSnapshot], Awaitable[Envelope]],
    care_record_of: Callable[[str], Awaitable[object]],
    summary_of: Callable[[str], Awaitable[object]],
    minio_client: Minio,
    claimed: Claimed,
) -> None:
    patient = registered_patient
    other = make_patient()
    await publish_patient(other)
    await wait_for(lambda: summary_of(other.id), timeout=15)
    care = make_care_record(patient.id, "progress_note", {"noted_on": "2026-04-01", "text": "訪問"})
    await publish_record(care)
    await wait_for(lambda: care_record_of(care.id), timeout=15)
    printed = await client.post(
        "/documents", json={"form": "F03", "patient_id": patient.id}, headers=auth_headers("nurse1")
    )
    assert printed.status_code == 201, printed.text
    kept = await client.post("/documents", json={"form": "F03", "patient_id": other.id}, headers=auth_headers("nurse1"))
    assert kept.status_code == 201
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        key = await session.scalar(select(Document.object_key).where(Document.id == uuid.UUID(printed.json()["id"])))
    assert key and versions_of(minio_client, key)

    envelope = deleted_event(patient)
    await publish(envelope)
    await wait_for(lambda: claimed(envelope.event_id), timeout=15)

    assert await summary_of(patient.id) is None and await care_record_of(care.id) is None
    assert await documents_of(client, patient.id) == 0 and versions_of(minio_client, key) == []
    answer = await client.get(f"/documents/{printed.json()['id']}", headers=auth_headers("nurse1"))
    assert answer.status_code == 404
    assert await summary_of(other.id) is not None and await documents_of(client, other.id) == 1

    again = deleted_event(patient)
    await publish(again)
    await wait_for(lambda: claimed(again.event_id), timeout=15)
    assert await summary_of(patient.id) is None
