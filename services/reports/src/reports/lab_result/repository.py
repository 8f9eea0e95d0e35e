"""Every query of the test-result read model; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import LabResultSnapshot
from tbms_core.db import apply_snapshot, utcnow

from reports.lab_result.models import LabResult


class LabResultRepository:
    """Reads and upserts test results in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def apply(self, snapshot: LabResultSnapshot, version: int) -> bool:
        """Stores a result unless a newer or equal version is held; True when it was applied."""
        values = {
            "patient_id": uuid.UUID(snapshot.patient_id),
            "version": version,
            "kind": snapshot.kind,
            "specimen": snapshot.specimen,
            "collected_on": snapshot.collected_on,
            "result_on": snapshot.result_on,
            "details": snapshot.details,
            "mdr": snapshot.mdr,
            "summary": snapshot.summary,
            "applied_at": utcnow(),
        }
        return await apply_snapshot(self.session, LabResult, {"id": uuid.UUID(snapshot.id)}, values)

    async def find(self, result_id: uuid.UUID) -> LabResult | None:
        """The result as last applied, or None."""
        return await self.session.get(LabResult, result_id, populate_existing=True)

    async def of_patient(self, patient_id: uuid.UUID) -> list[LabResult]:
        """A patient's results, newest collection first."""
        rows = await self.session.scalars(
            select(LabResult)
            .where(LabResult.patient_id == patient_id)
            .order_by(LabResult.collected_on.desc().nulls_last(), LabResult.result_on.desc().nulls_last())
        )
        return list(rows)
