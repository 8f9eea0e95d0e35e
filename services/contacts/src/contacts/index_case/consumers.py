"""Keeps the index-case summaries in step with the patients service."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from contacts.deadline.service import touch_contacts_of
from contacts.index_case.repository import IndexCaseRepository


async def on_patient_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Applies a patient snapshot unless a newer one is already held."""
    snapshot = PatientSnapshot.model_validate(envelope.payload["patient"])
    fields = {
        "version": snapshot.version,
        "registration_no": snapshot.registration_no,
        "name": snapshot.name,
        "name_kana": snapshot.name_kana,
        "birth_date": snapshot.birth_date,
        "district": snapshot.district,
        "nurse": snapshot.nurse,
        "status": snapshot.status,
    }
    if await IndexCaseRepository(session).apply(uuid.UUID(snapshot.id), fields):
        await touch_contacts_of(session, uuid.UUID(snapshot.id))  # the to-dos follow a new nurse or district


CONSUMERS = [
    Consumer("on_patient_registered", PatientRegistered.TYPE, on_patient_changed),
    Consumer("on_patient_updated", PatientUpdated.TYPE, on_patient_changed),
]
