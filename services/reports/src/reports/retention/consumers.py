"""PatientRecordDeleted: the patient's read models, filed documents (printed forms) and attachments go, with every
stored version of their files in the object store, and their data key is destroyed: the copies of those files in
older backups (sealed with that key) can never be opened again. Idempotent: a copy already gone is no error, so a
redelivery or a retry after a failure finishes the work."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core.app import Consumer, Handler
from tbms_core.events import Envelope

from reports.retention.repository import PatientCopiesRepository
from reports.storage import DocumentStore

log = logging.getLogger(__name__)


async def erase_patient(session: AsyncSession, store: DocumentStore, patient_id: uuid.UUID) -> int:
    """Deletes what reports holds of one patient and destroys their data key; the files first, so a failure leaves
    the rows to retry with."""
    copies = PatientCopiesRepository(session)
    objects = 0
    for key in await copies.object_keys(patient_id):
        objects += await store.erase(key)
    await copies.delete(patient_id)
    await store.keys(session).destroy(patient_id, reason="登録除外後の保存期間満了による削除")
    return objects


def on_patient_record_deleted(store: DocumentStore) -> Handler:
    """The handler of PatientRecordDeleted for this service's object store."""

    async def handle(session: AsyncSession, envelope: Envelope) -> None:
        event = PatientRecordDeleted.model_validate(envelope.payload)
        objects = await erase_patient(session, store, uuid.UUID(event.patient_id))
        log.info("retention: deleted reports' copies of patient %s (%d stored versions)", event.patient_id, objects)

    return handle


def consumers(store: DocumentStore) -> list[Consumer]:
    """The retention subscription of reports."""
    return [Consumer("on_patient_record_deleted", PatientRecordDeleted.TYPE, on_patient_record_deleted(store))]
