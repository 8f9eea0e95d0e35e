"""To-dos follow the deadlines in the patients service's snapshots."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import PatientRegistered, PatientSnapshot, PatientUpdated
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from workflow.todo.service import DeadlineApplier


async def on_patient_deadlines(session: AsyncSession, envelope: Envelope) -> None:
    """Applies the deadlines of a patient snapshot unless a newer snapshot of the patient was applied."""
    snapshot = PatientSnapshot.model_validate(envelope.payload["patient"])
    await DeadlineApplier(session).apply("patients", "patient", snapshot.id, snapshot.version, list(snapshot.deadlines))


CONSUMERS = [
    Consumer("todo_on_patient_registered", PatientRegistered.TYPE, on_patient_deadlines),
    Consumer("todo_on_patient_updated", PatientUpdated.TYPE, on_patient_deadlines),
]
