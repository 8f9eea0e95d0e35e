"""Every query of the test-result module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from patients.lab_result.errors import LabResultNotFound
from patients.lab_result.models import LabResult


class LabResultRepository:
    """Reads and writes test results in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, result: LabResult) -> LabResult:
        """Stores a new result."""
        self.session.add(result)
        await self.session.flush()
        await self.session.refresh(result)
        return result

    async def get(self, patient_id: uuid.UUID, result_id: uuid.UUID) -> LabResult:
        """The patient's result, or LabResultNotFound."""
        result = await self.session.get(LabResult, result_id)
        if result is None or result.patient_id != patient_id:
            raise LabResultNotFound()
        return result

    async def of_patient(self, patient_id: uuid.UUID) -> list[LabResult]:
        """A patient's results, newest collection first."""
        rows = await self.session.scalars(
            select(LabResult)
            .where(LabResult.patient_id == patient_id)
            .order_by(LabResult.collected_on.desc().nulls_last(), LabResult.created_at.desc())
        )
        return list(rows)
