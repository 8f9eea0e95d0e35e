"""Fixtures: a live reports service on a fresh database and its own test bucket, and synthetic patients."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime

import httpx
import nats
import pytest
from fastapi import FastAPI
from minio import Minio
from nats.js.api import ConsumerConfig, DeliverPolicy
from reports.main import create_app
from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository
from reports.settings import get_settings
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core.events import Envelope
from tbms_testing import service_client, wait_for
from tbms_testing.events import publish

NATS_URL = "nats://127.0.0.1:54222"
TEST_BUCKET = "tbms-documents-test"

SummaryOf = Callable[[str], Awaitable[PatientSummary | None]]
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


@pytest.fixture(scope="session")
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The reports API, in-process, against real PostgreSQL, NATS, MinIO and Keycloak."""

    def create_test_app() -> FastAPI:
        os.environ["TBMS_REPORTS_S3_BUCKET"] = TEST_BUCKET
        get_settings.cache_clear()
        return create_app()

    async with service_client("reports", create_test_app) as api:
        yield api


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
