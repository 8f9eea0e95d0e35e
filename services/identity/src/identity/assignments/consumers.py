"""Keeps the assignments read model from the events the patients, contacts, workflow and masters services publish.

Each handler runs once per event inside the inbox claim (tbms_core.app.subscribe): a repeat changes nothing, a
failure is retried and finally parked, never dropped. Snapshots carry a version, so an older one arriving late
changes nothing either.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.contacts import ContactRegistered, ContactUpdated
from tbms_contracts.deadlines import CONTACT_DEADLINES, PATIENT_DEADLINES, DeadlinesChanged
from tbms_contracts.masters import MasterChanged
from tbms_contracts.patients import PatientRegistered, PatientUpdated
from tbms_contracts.workflow import CirculationChanged
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from identity.assignments.repository import AssignmentRepository

PERSON_RECORDS = {"patient", "contact"}  # circulations and to-dos of these record kinds name a person


async def on_patient_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A patient's district and 担当保健師, as registered or changed."""
    patient = PatientRegistered.model_validate(envelope.payload).patient  # PatientUpdated has the same snapshot
    await AssignmentRepository(session).assign_person(
        patient.id,
        "patient",
        district=patient.district,
        nurse=patient.nurse,
        index_ids=[],
        version=patient.version,
        at=envelope.occurred_at,
    )


async def on_contact_changed(session: AsyncSession, envelope: Envelope) -> None:
    """A contact's index patients, whose nurses and districts are the contact's."""
    contact = ContactRegistered.model_validate(envelope.payload).contact
    index_ids = sorted({exposure.index_patient_id for exposure in contact.exposures if exposure.index_patient_id})
    await AssignmentRepository(session).assign_person(
        contact.id,
        "contact",
        district="",
        nurse="",
        index_ids=index_ids,
        version=contact.version,
        at=envelope.occurred_at,
    )


async def on_deadlines_changed(session: AsyncSession, envelope: Envelope) -> None:
    """The nurse of each deadline (a to-do in workflow) is named on the record."""
    change = DeadlinesChanged.model_validate(envelope.payload)
    if change.record.aggregate not in PERSON_RECORDS:
        return
    repo = AssignmentRepository(session)
    for nurse in sorted({deadline.nurse for deadline in change.deadlines if deadline.nurse}):
        await repo.add_participant(change.record.id, nurse, "todo", envelope.occurred_at)


async def on_circulation_changed(session: AsyncSession, envelope: Envelope) -> None:
    """Whoever submits, approves, sends back or reads a circulation of a person's record is named on it."""
    circulation = CirculationChanged.model_validate(envelope.payload)
    if circulation.record_kind in PERSON_RECORDS and envelope.actor:
        await AssignmentRepository(session).add_participant(
            circulation.record_id, envelope.actor, "circulation", envelope.occurred_at
        )


async def on_master_changed(session: AsyncSession, envelope: Envelope) -> None:
    """The 担当保健師 master (who works which district) and the 地区 master's 担当班."""
    change = MasterChanged.model_validate(envelope.payload)
    snapshot, repo = change.snapshot, AssignmentRepository(session)
    if change.kind == "staff_assignment":
        await repo.staff(
            change.code,
            district=str(snapshot.data.get("district_code") or ""),
            username=str(snapshot.data.get("nurse_username") or ""),
            active=snapshot.active,
            valid_to=snapshot.valid_to,
            version=snapshot.version,
        )
    elif change.kind == "district":
        await repo.team(change.code, str(snapshot.data.get("team") or ""), snapshot.version)


CONSUMERS = [
    Consumer("assignments_on_patient_registered", PatientRegistered.TYPE, on_patient_changed),
    Consumer("assignments_on_patient_updated", PatientUpdated.TYPE, on_patient_changed),
    Consumer("assignments_on_contact_registered", ContactRegistered.TYPE, on_contact_changed),
    Consumer("assignments_on_contact_updated", ContactUpdated.TYPE, on_contact_changed),
    Consumer("assignments_on_patient_deadlines", PATIENT_DEADLINES, on_deadlines_changed),
    Consumer("assignments_on_contact_deadlines", CONTACT_DEADLINES, on_deadlines_changed),
    Consumer("assignments_on_circulation_changed", CirculationChanged.TYPE, on_circulation_changed),
    Consumer("assignments_on_master_changed", MasterChanged.TYPE, on_master_changed),
]
