"""Subscribers that keep the index in step with the producers' events."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import PatientSnapshot
from tbms_core.app import Consumer, Handler
from tbms_core.events import Envelope

from search.engine.base import SearchDocument, SearchEngine
from search.indexing.documents import patient_document, record_type_of
from search.indexing.repository import IndexedVersionRepository

log = logging.getLogger(__name__)
PATIENT_EVENTS = "tbms.patients.patient.>"  # registered.v1, updated.v1 and any later event carrying the snapshot
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
    """Indexes the patient snapshot every patient event carries, or removes a deleted patient."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        """Applies one patient event in the inbox's transaction."""
        if DELETED in envelope.type:
            record_type = record_type_of(envelope.type)
            await remove(session, engine, record_type, envelope.aggregate_id, envelope.aggregate_version)
            return
        snapshot = envelope.payload.get("patient")
        if snapshot is None:
            log.info("%s carries no patient snapshot; nothing to index", envelope.type)
            return
        await apply(session, engine, patient_document(PatientSnapshot.model_validate(snapshot), snapshot))

    return handle


def consumers(engine: SearchEngine) -> list[Consumer]:
    """Every subscription of the search service."""
    return [Consumer("on_patient_changed", PATIENT_EVENTS, on_patient_changed(engine))]
