"""Events for tests: synthetic patient snapshots, published to JetStream exactly as the outbox relay does."""

from __future__ import annotations

import json
import uuid
from datetime import date

import nats
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core.events import Envelope

NATS_URL = "nats://127.0.0.1:54222"


def patient_event(
    patient_id: uuid.UUID, version: int, name: str, registration_no: str = "", **fields: object
) -> Envelope:
    """A PatientRegistered (version 1) or PatientUpdated envelope of a synthetic patient born 1970-03-01."""
    values: dict[str, object] = {
        "registered_on": date(2026, 11, 1),
        "category": "patient",
        "name_kana": "シケン タロウ",
        "sex": "male",
        "birth_date": date(1970, 3, 1),
        **fields,
    }
    snapshot = PatientSnapshot(
        id=str(patient_id),
        version=version,
        name=name,
        registration_no=registration_no or f"9{patient_id.int % 10**8:08d}",
        **values,  # type: ignore[arg-type]
    )
    payload = PatientRegistered(patient=snapshot) if version == 1 else PatientUpdated(patient=snapshot)
    return Envelope.of(payload, aggregate_id=patient_id, version=version)


async def publish(*envelopes: Envelope, subject: str | None = None, msg_id: str | None = None) -> None:
    """Publishes envelopes with `Nats-Msg-Id` = event id (or the given id), as the outbox relay does."""
    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        for envelope in envelopes:
            data = json.dumps(envelope.model_dump(mode="json"), ensure_ascii=False).encode()
            headers = {"Nats-Msg-Id": msg_id or str(envelope.event_id), "content-type": "application/json"}
            await js.publish(subject or envelope.type, data, headers=headers)
    finally:
        await nc.close()
