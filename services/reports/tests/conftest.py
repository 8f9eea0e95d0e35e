"""Fixtures: a live reports service on a fresh database and its own test bucket, and synthetic patients."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime
from pathlib import Path

import httpx
import nats
import pytest
from fastapi import FastAPI
from minio import Minio
from nats.js.api import ConsumerConfig, DeliverPolicy
from reports.care_record.models import CareRecord
from reports.care_record.repository import CareRecordRepository
from reports.lab_result.models import LabResult
from reports.lab_result.repository import LabResultRepository
from reports.main import create_app
from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository
from reports.settings import get_settings
from sqlalchemy import text
from tbms_contracts.patients import (
    CareRecordSaved,
    CareRecordSnapshot,
    LabResultCorrected,
    LabResultRecorded,
    LabResultSnapshot,
    PatientRegistered,
    PatientSnapshot,
    PatientUpdated,
)
from tbms_core.events import Envelope
from tbms_testing import service_client, wait_for
from tbms_testing.events import publish

NATS_URL = "nats://127.0.0.1:54222"
# the EICAR anti-virus test string, kept in two halves so that this file is no scanner match itself
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
TEST_BUCKET = "tbms-documents-test"

SummaryOf = Callable[[str], Awaitable[PatientSummary | None]]
LabResultOf = Callable[[str], Awaitable[LabResult | None]]
CareRecordOf = Callable[[str], Awaitable[CareRecord | None]]
Claimed = Callable[[uuid.UUID], Awaitable[bool]]
EventsSince = Callable[[str, datetime], Awaitable[list[dict[str, object]]]]


def unique_number() -> str:
    """A 登録番号 no other test run uses."""
    return f"2026-9{uuid.uuid4().int % 10**6:06d}"


def patient_snapshot(patient_id: uuid.UUID | None = None, version: int = 1, **fields: object) -> PatientSnapshot:
    """A synthetic patient (試験 花子, born 1970-03-01) with any field overridden."""
    values: dict[str, object] = {
        "id": str(patient_id or uuid.uuid4()),
        "version": version,
        "registration_no": unique_number(),
        "registered_on": date(2026, 4, 8),
        "category": "patient",
        "name": "試験 花子",
        "name_kana": "シケン ハナコ",
        "sex": "female",
        "birth_date": date(1970, 3, 1),
        "postal_code": "154-0017",
        "address": "東京都世田谷区世田谷四丁目21番27号 試験ハイツ101",
        "phone": "03-5432-0000",
        "district": "世田谷",
        "nurse": "保健 太郎",
    }
    return PatientSnapshot.model_validate(values | fields)


def card_fields() -> dict[str, object]:
    """The registration card's sections of a synthetic patient, as PatientSnapshot carries them."""
    return {
        "occupation": "healthcare",
        "notification": {
            "notified_on": "2026-04-06",
            "received_on": "2026-04-07",
            "type": "confirmed",
            "doctor_name": "届出 医師",
            "institution_name": "試験総合病院",
            "institution_address": "東京都清瀬市竹丘三丁目1番1号",
            "institution_phone": "042-000-0000",
        },
        "disease": {
            "form": "both",
            "extrapulmonary_sites": ["pleura"],
            "site_note": "頸部",
            "gakkai_side": "b",
            "gakkai_type": "II",
            "gakkai_extent": 2,
            "symptoms": ["cough"],
            "onset_on": "2026-02-15",
            "first_visit_on": "2026-03-20",
            "diagnosed_on": "2026-04-02",
        },
        "clinical": {"prior_treatment": "initial", "risk_factors": ["diabetes"]},
        "gakkai": "bII2",
    }


def lab_result_snapshot(
    patient_id: str, result_id: uuid.UUID | None = None, version: int = 1, **fields: object
) -> LabResultSnapshot:
    """A synthetic sputum smear result (2+, G5) collected 2026-04-01, with any field overridden."""
    values: dict[str, object] = {
        "id": str(result_id or uuid.uuid4()),
        "patient_id": patient_id,
        "version": version,
        "kind": "smear",
        "specimen": "喀痰",
        "collected_on": date(2026, 4, 1),
        "result_on": date(2026, 4, 2),
        "details": {"grade": "2+", "gaffky": "G5"},
        "summary": "2+（G5）",
    }
    return LabResultSnapshot.model_validate(values | fields)


def lab_result_event(snapshot: LabResultSnapshot) -> Envelope:
    """LabResultRecorded for version 1, LabResultCorrected after that."""
    payload: LabResultRecorded | LabResultCorrected = (
        LabResultRecorded(lab_result=snapshot) if snapshot.version == 1 else LabResultCorrected(lab_result=snapshot)
    )
    return Envelope.of(payload, aggregate_id=snapshot.id, version=snapshot.version, actor="test")


def care_record_snapshot(
    patient_id: str,
    kind: str,
    data: dict[str, object],
    record_id: uuid.UUID | None = None,
    version: int = 1,
    labels: dict[str, str] | None = None,
) -> CareRecordSnapshot:
    """A synthetic care record of a kind with its items and the Japanese labels of its codes."""
    return CareRecordSnapshot(
        id=str(record_id or uuid.uuid4()),
        patient_id=patient_id,
        version=version,
        kind=kind,
        data=data,
        labels=labels or {},
    )


def care_record_event(snapshot: CareRecordSnapshot) -> Envelope:
    """CareRecordSaved, `created` for version 1."""
    payload = CareRecordSaved(care_record=snapshot, created=snapshot.version == 1)
    return Envelope.of(payload, aggregate_id=snapshot.id, version=snapshot.version, actor="test")


def patient_event(snapshot: PatientSnapshot) -> Envelope:
    """PatientRegistered for version 1, PatientUpdated after that, as the patients service sends them."""
    payload = PatientRegistered(patient=snapshot) if snapshot.version == 1 else PatientUpdated(patient=snapshot)
    return Envelope.of(payload, aggregate_id=snapshot.id, version=snapshot.version, actor="test")


async def events_since(subject: str, since: datetime) -> list[dict[str, object]]:
    """The envelopes JetStream holds on a subject since a moment (an ephemeral pull consumer)."""
    nc = await nats.connect(NATS_URL)
    envelopes: list[dict[str, object]] = []
    try:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since)
        subscription = await nc.jetstream().pull_subscribe(subject, config=config)
        while True:
            try:
                messages = await subscription.fetch(100, timeout=1)
            except TimeoutError:  # nats.errors.TimeoutError included: nothing more to fetch
                break
            for message in messages:
                envelopes.append(json.loads(message.data))
                await message.ack()
        await subscription.unsubscribe()
    finally:
        await nc.close()
    return envelopes


def write_test_signatures(folder: Path) -> Path:
    """A ClamAV database with one signature, EICAR's, as scripts/bootstrap.sh writes it for the local stack."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tbms-test.ndb").write_text(f"Tbms.Test.EICAR:0:*:{EICAR.hex()}\n")
    return folder


@pytest.fixture(scope="session")
async def client(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    """The reports API, in-process, against real PostgreSQL, NATS, MinIO, Keycloak and ClamAV (clamscan)."""
    signatures = write_test_signatures(tmp_path_factory.mktemp("clamav"))

    def create_test_app() -> FastAPI:
        os.environ["TBMS_REPORTS_S3_BUCKET"] = TEST_BUCKET
        os.environ["TBMS_REPORTS_CLAMAV_DATABASE"] = str(signatures)
        os.environ["TBMS_REPORTS_CLAMAV_HOST"] = ""
        get_settings.cache_clear()
        return create_app()

    async with service_client("reports", create_test_app) as api:
        yield api


@pytest.fixture(scope="session")
def eicar() -> bytes:
    """The EICAR anti-virus test file: every scanner reports it, and it harms nothing."""
    return EICAR


@pytest.fixture(scope="session")
def minio_client(client: httpx.AsyncClient) -> Minio:
    """A separate S3 client, to check what the service stored."""
    settings = get_settings()
    return Minio(
        settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key.get_secret_value(),
        secure=settings.s3_secure,
    )


@pytest.fixture(scope="session")
def make_patient() -> Callable[..., PatientSnapshot]:
    """Builds synthetic patient snapshots: `make_patient(version=2, name=...)`."""
    return patient_snapshot


@pytest.fixture(scope="session")
def publish_patient() -> Callable[[PatientSnapshot], Awaitable[Envelope]]:
    """Publishes a snapshot as PatientRegistered (version 1) or PatientUpdated; returns the envelope sent."""

    async def _publish(snapshot: PatientSnapshot) -> Envelope:
        envelope = patient_event(snapshot)
        await publish(envelope)
        return envelope

    return _publish


@pytest.fixture(scope="session")
def summary_of(client: httpx.AsyncClient) -> SummaryOf:
    """Reads a patient from the service's read model (None until their event has been applied)."""

    async def _summary(patient_id: str) -> PatientSummary | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await PatientSummaryRepository(session).find(uuid.UUID(patient_id))

    return _summary


@pytest.fixture(scope="session")
def card() -> dict[str, object]:
    """The registration card's sections of a synthetic patient: `make_patient(**card)`."""
    return card_fields()


@pytest.fixture(scope="session")
def make_lab_result() -> Callable[..., LabResultSnapshot]:
    """Builds synthetic test results: `make_lab_result(patient_id, kind="culture", ...)`."""
    return lab_result_snapshot


@pytest.fixture(scope="session")
def make_care_record() -> Callable[..., CareRecordSnapshot]:
    """Builds synthetic care records: `make_care_record(patient_id, "treatment", {...}, labels={...})`."""
    return care_record_snapshot


@pytest.fixture(scope="session")
def publish_record() -> Callable[[LabResultSnapshot | CareRecordSnapshot], Awaitable[Envelope]]:
    """Publishes a test result (Recorded/Corrected) or a care record (Saved) as the patients service does."""

    async def _publish(snapshot: LabResultSnapshot | CareRecordSnapshot) -> Envelope:
        envelope = (
            lab_result_event(snapshot) if isinstance(snapshot, LabResultSnapshot) else care_record_event(snapshot)
        )
        await publish(envelope)
        return envelope

    return _publish


@pytest.fixture(scope="session")
def lab_result_of(client: httpx.AsyncClient) -> LabResultOf:
    """Reads a test result from the service's read model (None until its event has been applied)."""

    async def _find(result_id: str) -> LabResult | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await LabResultRepository(session).find(uuid.UUID(result_id))

    return _find


@pytest.fixture(scope="session")
def care_record_of(client: httpx.AsyncClient) -> CareRecordOf:
    """Reads a care record from the service's read model (None until its event has been applied)."""

    async def _find(record_id: str) -> CareRecord | None:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await CareRecordRepository(session).find(uuid.UUID(record_id))

    return _find


@pytest.fixture(scope="session")
def claimed(client: httpx.AsyncClient) -> Claimed:
    """True once a consumer of the service has taken an event into its inbox (applied or skipped)."""

    async def _claimed(event_id: uuid.UUID) -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            found = await session.scalar(text("SELECT count(*) FROM inbox WHERE event_id = :e"), {"e": event_id})
        return bool(found)

    return _claimed


@pytest.fixture
async def registered_patient(
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
    summary_of: SummaryOf,
) -> PatientSnapshot:
    """A synthetic patient registered through JetStream and already in the read model."""
    snapshot = make_patient()
    await publish_patient(snapshot)
    await wait_for(lambda: summary_of(snapshot.id), timeout=15)
    return snapshot


@pytest.fixture(scope="session")
def jetstream_events() -> EventsSince:
    """Reads what was published on a subject since a moment: `await jetstream_events(subject, since)`."""
    return events_since
