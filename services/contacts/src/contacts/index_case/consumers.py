"""Keeps the index-case summaries in step with the patients service."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core.app import Consumer
from tbms_core.auth import Principal
from tbms_core.events import Envelope

from contacts.contact.service import ContactService
from contacts.index_case.service import apply_patient

# A patient registered from a contact's page links that contact: the change is the patients service's user's.
HANDOVER_NAME = "患者登録（接触者からの引継ぎ）"


async def on_patient_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Applies a patient snapshot unless a newer one is already held."""
    await apply_patient(session, PatientSnapshot.model_validate(envelope.payload["patient"]))


async def on_patient_registered(session: AsyncSession, envelope: Envelope) -> None:
    """Keeps the new patient's summary; a patient handed over from a contact (発病) links that contact to them."""
    await on_patient_changed(session, envelope)
    event = PatientRegistered.model_validate(envelope.payload)
    try:
        contact_id = uuid.UUID(event.source_contact_id) if event.source_contact_id else None
    except ValueError:
        contact_id = None  # not a contact of ours: nothing to link
    if contact_id:
        actor = envelope.actor or "patients"
        principal = Principal(user_id=actor, username=actor, display_name=HANDOVER_NAME)
        await ContactService(session, principal).handed_over(contact_id, uuid.UUID(event.patient.id))


CONSUMERS = [
    Consumer("on_patient_registered", PatientRegistered.TYPE, on_patient_registered),
    Consumer("on_patient_updated", PatientUpdated.TYPE, on_patient_changed),
]
