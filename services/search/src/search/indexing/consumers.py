"""Subscribers that keep the index in step with the producers' events."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.contacts import ContactSnapshot
from tbms_contracts.deadlines import PATIENT_DEADLINES, DeadlinesChanged
from tbms_contracts.patients import CareRecordSaved, PatientSnapshot
from tbms_core.app import Consumer, Handler
from tbms_core.events import Envelope

from search.engine.base import SearchDocument, SearchEngine
from search.indexing.documents import CONTACT, PATIENT, record_type_of
from search.indexing.linking import (
    DOTS_DUE_KINDS,
    index_contact,
    index_patient,
    keep_plan,
    refresh_patient,
)
from search.indexing.repository import IndexedVersionRepository, LinkRepository
from search.rebuild.service import follow_running_rebuild

log = logging.getLogger(__name__)
PATIENT_EVENTS = "tbms.patients.patient.>"  # registered.v1, updated.v1 and any later event carrying the snapshot
CONTACT_EVENTS = "tbms.contacts.contact.>"  # registered.v1, updated.v1 and any later event carrying the snapshot
CARE_RECORDS = CareRecordSaved.TYPE  # DOTS plans among them
DELETED = ".deleted."  # tbms.<producer>.<aggregate>.deleted.v1


async def apply(session: AsyncSession, engine: SearchEngine, document: SearchDocument) -> bool:
    """Indexes a document if it is newer than what was indexed; the ledger row is locked meanwhile."""
    if not await IndexedVersionRepository(session).advance(document.record_type, document.id, document.version):
        return False
    await engine.index(document)
    return True


async def remove(session: AsyncSession, engine: SearchEngine, record_type: str, record_id: str, version: int) -> bool:
    """Removes a deleted record; its ledger row stays as a tombstone so a late older event cannot bring it back."""
    if not await IndexedVersionRepository(session).advance(record_type, record_id, version):
        return False
    await engine.delete(record_type, record_id)
    return True


def on_patient_changed(engine: SearchEngine) -> Handler:
    """Indexes the patient snapshot every patient event carries (with the patient's DOTS state), or removes a
    deleted patient; the patient's contacts show a changed name, number or district at once."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        """Applies one patient event in the inbox's transaction."""
        if DELETED in envelope.type:
            record_type = record_type_of(envelope.type)
            if await remove(session, engine, record_type, envelope.aggregate_id, envelope.aggregate_version):
                await LinkRepository(session).forget_document(envelope.aggregate_id)
            return
        snapshot = envelope.payload.get("patient")
        if snapshot is None:
            log.info("%s carries no patient snapshot; nothing to index", envelope.type)
            return
        patient = PatientSnapshot.model_validate(snapshot)
        if await IndexedVersionRepository(session).advance(PATIENT, patient.id, patient.version):
            await index_patient(session, engine, patient, snapshot)

    return handle


def on_contact_changed(engine: SearchEngine) -> Handler:
    """Indexes the contact snapshot every contact event carries, with its index patients, or removes a deleted one."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        """Applies one contact event in the inbox's transaction."""
        if DELETED in envelope.type:
            if await remove(session, engine, CONTACT, envelope.aggregate_id, envelope.aggregate_version):
                await LinkRepository(session).forget_contact(envelope.aggregate_id)
            return
        snapshot = envelope.payload.get("contact")
        if snapshot is None:
            log.info("%s carries no contact snapshot; nothing to index", envelope.type)
            return
        contact = ContactSnapshot.model_validate(snapshot)
        if await IndexedVersionRepository(session).advance(CONTACT, contact.id, contact.version):
            await index_contact(session, engine, contact)

    return handle


def on_care_record_saved(engine: SearchEngine) -> Handler:
    """A DOTS plan saved: the patient's hit shows the type and intensity of the plan in force."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        """Keeps a newer DOTS plan and rebuilds its patient's hit; other care records are not searched."""
        record = CareRecordSaved.model_validate(envelope.payload).care_record
        if await keep_plan(session, record):
            await refresh_patient(session, engine, record.patient_id)

    return handle


def on_patient_deadlines(engine: SearchEngine) -> Handler:
    """The patient's deadlines changed: the next 服薬確認 due (or overdue) is searchable."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        """Keeps the DOTS due date of a newer revision and rebuilds the patient's hit when it moved."""
        changed = DeadlinesChanged.model_validate(envelope.payload)
        if changed.record.aggregate != PATIENT:
            return
        dues = [deadline.due_on for deadline in changed.deadlines if deadline.kind in DOTS_DUE_KINDS]
        links = LinkRepository(session)
        before = (await links.lock_patient(changed.record.id)).dots_due_on
        due_on = min(dues, default=None)
        if await links.set_dots_due(changed.record.id, due_on, changed.revision) and due_on != before:
            await refresh_patient(session, engine, changed.record.id)

    return handle


def during_rebuilds(engine: SearchEngine, handler: Handler) -> Handler:
    """Applies an event to a running rebuild's index too, whichever search process began the rebuild."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        """Follows the running rebuild, then applies the event."""
        await follow_running_rebuild(session, engine)
        await handler(session, envelope)

    return handle


def consumers(engine: SearchEngine) -> list[Consumer]:
    """Every subscription of the search service."""
    return [
        Consumer("on_patient_changed", PATIENT_EVENTS, during_rebuilds(engine, on_patient_changed(engine))),
        Consumer("on_contact_changed", CONTACT_EVENTS, during_rebuilds(engine, on_contact_changed(engine))),
        Consumer("on_care_record_saved", CARE_RECORDS, during_rebuilds(engine, on_care_record_saved(engine))),
        Consumer("on_patient_deadlines", PATIENT_DEADLINES, during_rebuilds(engine, on_patient_deadlines(engine))),
    ]
