"""Subscribers to the patients service's events: keep the reporting read model current."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from reports.patient_summary.repository import PatientSummaryRepository

log = logging.getLogger(__name__)


async def on_patient_registered(session: AsyncSession, envelope: Envelope) -> None:
    """A new registration: add the patient to the read model."""
    event = PatientRegistered.model_validate(envelope.payload)
    await _apply(session, envelope, event.patient)


async def on_patient_updated(session: AsyncSession, envelope: Envelope) -> None:
    """A change: replace the summary when the snapshot is newer than the one held."""
    event = PatientUpdated.model_validate(envelope.payload)
    await _apply(session, envelope, event.patient)


async def _apply(session: AsyncSession, envelope: Envelope, snapshot: PatientSnapshot) -> None:
    version = envelope.aggregate_version or snapshot.version
    if not await PatientSummaryRepository(session).apply(snapshot, version):
        log.info("skipped stale snapshot of patient %s (version %s)", envelope.aggregate_id, version)


CONSUMERS = [
    Consumer("on_patient_registered", PatientRegistered.TYPE, on_patient_registered),
    Consumer("on_patient_updated", PatientUpdated.TYPE, on_patient_updated),
]
