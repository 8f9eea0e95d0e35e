"""PatientRecordDeleted: the patient's read models, filed documents (printed forms) and attachments go, with every
stored version of their files in the object store. Idempotent: a copy already gone is no error, so a redelivery or
a retry after a failure finishes the work."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core.app import Consumer, Handler
from tbms_core.events import Envelope

from reports.attachment.models import Attachment, AttachmentFile
from reports.board_record.models import BoardRecord
from reports.care_record.models import CareRecord
from reports.document.models import Document
from reports.lab_result.models import LabResult
from reports.patient_summary.models import PatientSummary
from reports.storage import DocumentStore

log = logging.getLogger(__name__)


async def erase_patient(session: AsyncSession, store: DocumentStore, patient_id: uuid.UUID) -> int:
    """Deletes what reports holds of one patient; the files first, so a failure leaves the rows to retry with."""
    documents = (
        await session.scalars(
            select(Document).where(
                or_(
                    Document.patient_id == patient_id,
                    (Document.owner_type == "patient") & (Document.owner_id == patient_id),
                )
            )
        )
    ).all()
    attachments = (await session.scalars(select(Attachment).where(Attachment.person_id == patient_id))).all()
    attachment_ids = [a.id for a in attachments]
    files = (
        (await session.scalars(select(AttachmentFile).where(AttachmentFile.attachment_id.in_(attachment_ids)))).all()
        if attachment_ids
        else []
    )
    objects = 0
    for key in [d.object_key for d in documents] + [f.object_key for f in files]:
        objects += await store.erase(key)
    if attachment_ids:
        await session.execute(delete(AttachmentFile).where(AttachmentFile.attachment_id.in_(attachment_ids)))
        await session.execute(delete(Attachment).where(Attachment.id.in_(attachment_ids)))
    if documents:
        await session.execute(delete(Document).where(Document.id.in_([d.id for d in documents])))
    for model in (LabResult, CareRecord, BoardRecord):
        await session.execute(delete(model).where(model.patient_id == patient_id))
    await session.execute(delete(PatientSummary).where(PatientSummary.id == patient_id))
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
