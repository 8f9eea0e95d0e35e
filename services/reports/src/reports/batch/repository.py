"""Every query of the batch module; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import literal, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.repository import Repository

from reports.batch.errors import PrintBatchNotFound
from reports.batch.models import QUEUED, RUNNING, PrintBatch
from reports.document.models import Document
from reports.request_letter.models import ContactSummary


class PrintBatchRepository(Repository[PrintBatch]):
    """Reads and writes batch jobs in the caller's unit of work."""

    model = PrintBatch
    not_found = PrintBatchNotFound

    async def claim_next(self, stale_before: datetime) -> PrintBatch | None:
        """The oldest batch waiting, or running without a heartbeat since `stale_before` (its process died),
        locked so that no other reports process takes it at the same time."""
        return await self.session.scalar(
            select(PrintBatch)
            .where(
                or_(
                    PrintBatch.status == QUEUED,
                    (PrintBatch.status == RUNNING)
                    & (PrintBatch.heartbeat_at.is_(None) | (PrintBatch.heartbeat_at < stale_before)),
                )
            )
            .order_by(PrintBatch.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
        )

    async def locked(self, batch_id: object) -> PrintBatch:
        """A batch, locked for this unit of work."""
        batch = await self.session.scalar(select(PrintBatch).where(PrintBatch.id == batch_id).with_for_update())
        if batch is None:
            raise PrintBatchNotFound()
        return batch

    async def recent_of(self, user_id: str, limit: int) -> list[PrintBatch]:
        """A user's newest batches."""
        rows = await self.session.scalars(
            select(PrintBatch)
            .where(PrintBatch.requested_by == user_id)
            .order_by(PrintBatch.created_at.desc())
            .limit(limit)
        )
        return list(rows)

    async def people_filed(self, document_ids: list[str]) -> list[uuid.UUID]:
        """Whose personal data the filed documents of a batch are (the patient, else the contact or session), once
        each, in the order filed."""
        if not document_ids:
            return []
        rows = await self.session.execute(
            select(Document.id, Document.patient_id, Document.owner_id).where(
                Document.id.in_([uuid.UUID(d) for d in document_ids])
            )
        )
        person = {row.id: row.patient_id or row.owner_id for row in rows}
        return list(dict.fromkeys(person[uuid.UUID(d)] for d in document_ids if uuid.UUID(d) in person))


class ScreeningDayRepository:
    """Finds the contacts of a screening day in the contact read model; never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def contacts_with(self, exam: dict[str, str]) -> list[Mapping[str, Any]]:
        """The snapshots of the contacts having an examination with these values (e.g. the appointment day)."""
        rows = await self.session.scalars(
            select(ContactSummary.snapshot).where(
                ContactSummary.snapshot.op("@>")(literal({"exams": [exam]}, type_=JSONB))
            )
        )
        return list(rows)
