"""PatientRecordDeleted: the index-case copy of the patient loses its personal data (name, reading, birth date,
nurse, district). The row itself stays, holding only the registration number, because the contacts' own records
(each contact is a person of their own, kept by their own retention) still name it as their index case; the version
of the deletion keeps any older, redelivered snapshot from bringing the data back. Idempotent."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.retention import PatientRecordDeleted
from tbms_core.app import Consumer
from tbms_core.events import Envelope

from contacts.index_case.repository import IndexCaseRepository

DELETED_NAME = "（保存期間満了により削除）"


async def on_patient_record_deleted(session: AsyncSession, envelope: Envelope) -> None:
    """Replaces the index-case copy by one without personal data."""
    event = PatientRecordDeleted.model_validate(envelope.payload)
    fields = {
        "version": envelope.aggregate_version,
        "registration_no": event.registration_no,
        "name": DELETED_NAME,
        "name_kana": "",
        "birth_date": None,
        "district": "",
        "nurse": "",
        "status": "excluded",
    }
    await IndexCaseRepository(session).apply(uuid.UUID(event.patient_id), fields)


CONSUMERS = [Consumer("on_patient_record_deleted", PatientRecordDeleted.TYPE, on_patient_record_deleted)]
