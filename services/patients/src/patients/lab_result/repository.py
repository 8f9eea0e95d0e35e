"""Every query of the test-result module; never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from tbms_core.repository import Repository

from patients.lab_result.errors import LabResultNotFound
from patients.lab_result.models import LabResult


class LabResultRepository(Repository[LabResult]):
    """Reads and writes test results in the caller's unit of work."""

    model = LabResult
    not_found = LabResultNotFound

    async def add(self, result: LabResult) -> LabResult:
        """Stores a new result and reads back what the database set (its times)."""
        await super().add(result)
        await self.session.refresh(result)
        return result

    async def get_of_patient(self, patient_id: uuid.UUID, result_id: uuid.UUID) -> LabResult:
        """The patient's result, or LabResultNotFound."""
        result = await self.get(result_id)
        if result.patient_id != patient_id:
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

    async def findings_of(self, patient_id: uuid.UUID) -> list[tuple[str, str, dict[str, Any]]]:
        """What the 総合患者分類 reads of a patient's results: (kind, specimen, details) of each."""
        rows = await self.session.execute(
            select(LabResult.kind, LabResult.specimen, LabResult.details).where(LabResult.patient_id == patient_id)
        )
        return [(kind, specimen, details) for kind, specimen, details in rows]
