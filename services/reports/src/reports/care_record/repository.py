"""Every query of the care-record read model; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import CareRecordSnapshot
from tbms_core.db import apply_snapshot, utcnow

from reports.care_record.models import CareRecord


class CareRecordRepository:
    """Reads and upserts care records in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: CareRecordSnapshot, version: int) -> bool:
        """Stores a record unless a newer or equal version is held; True when it was applied."""
        values = {
            "patient_id": uuid.UUID(snapshot.patient_id),
            "version": version,
            "kind": snapshot.kind,
            "data": snapshot.data,
            "labels": snapshot.labels,
            "applied_at": utcnow(),
        }
        return await apply_snapshot(self.session, CareRecord, {"id": uuid.UUID(snapshot.id)}, values)

    async def find(self, record_id: uuid.UUID) -> CareRecord | None:
        """The record as last applied, or None."""
        return await self.session.get(CareRecord, record_id, populate_existing=True)

    async def of_patient(self, patient_id: uuid.UUID) -> list[CareRecord]:
        """Every care record of a patient, of every kind (forms pick and order what they print)."""
        rows = await self.session.scalars(
            select(CareRecord).where(CareRecord.patient_id == patient_id).order_by(CareRecord.kind, CareRecord.id)
        )
        return list(rows)
