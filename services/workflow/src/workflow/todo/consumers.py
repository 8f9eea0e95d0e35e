"""To-dos follow the deadlines the owning services publish for their records (patients, contacts)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.deadlines import CONTACT_DEADLINES, PATIENT_DEADLINES, DeadlinesChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from workflow.todo.service import DeadlineApplier


async def on_deadlines_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Applies a record's deadlines unless a newer revision of them was applied (older or repeated: nothing)."""
    change = DeadlinesChanged.model_validate(envelope.payload)
    service = envelope.type.split(".")[1]  # the stream it came from names the owner, whatever the payload says
    record = change.record
    await DeadlineApplier(session).apply(service, record.aggregate, record.id, change.revision, list(change.deadlines))


CONSUMERS = [
    Consumer("todo_on_patient_deadlines", PATIENT_DEADLINES, on_deadlines_changed),
    Consumer("todo_on_contact_deadlines", CONTACT_DEADLINES, on_deadlines_changed),
]
