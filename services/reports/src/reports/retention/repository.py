"""What reports holds of one patient, and its deletion (N17)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reports.attachment.models import Attachment, AttachmentFile
from reports.board_record.models import BoardRecord
from reports.care_record.models import CareRecord
from reports.document.models import Document
from reports.lab_result.models import LabResult
from reports.patient_summary.models import PatientSummary


class PatientCopiesRepository:
    """The rows of one patient across reports' read models, documents and attachments."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def object_keys(self, patient_id: uuid.UUID) -> list[str]:
        """The object-store keys of the patient's printed forms and attachment files."""
        documents = select(Document.object_key).where(self._documents(patient_id))
        files = (
            select(AttachmentFile.object_key)
            .join(Attachment, Attachment.id == AttachmentFile.attachment_id)
            .where(Attachment.person_id == patient_id)
        )
        return [*(await self.session.scalars(documents)).all(), *(await self.session.scalars(files)).all()]

    async def delete(self, patient_id: uuid.UUID) -> None:
        """Deletes every row of the patient (none there is no error)."""
        attachments = select(Attachment.id).where(Attachment.person_id == patient_id)
        await self.session.execute(delete(AttachmentFile).where(AttachmentFile.attachment_id.in_(attachments)))
        await self.session.execute(delete(Attachment).where(Attachment.person_id == patient_id))
        await self.session.execute(delete(Document).where(self._documents(patient_id)))
        models: Sequence[type[LabResult] | type[CareRecord] | type[BoardRecord]] = (LabResult, CareRecord, BoardRecord)
        for model in models:
            await self.session.execute(delete(model).where(model.patient_id == patient_id))
        await self.session.execute(delete(PatientSummary).where(PatientSummary.id == patient_id))

    @staticmethod
    def _documents(patient_id: uuid.UUID) -> ColumnElement[bool]:
        return or_(
            Document.patient_id == patient_id, (Document.owner_type == "patient") & (Document.owner_id == patient_id)
        )
