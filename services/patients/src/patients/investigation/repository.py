"""Every query of the 行動調査 module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from patients.care.repository import PatientRecordRepository
from patients.investigation.models import Investigation


class InvestigationRepository(PatientRecordRepository[Investigation]):
    """Investigations, one per patient."""

    model = Investigation
    newest_first_by = "interviewed_on"

    async def of(self, patient_id: uuid.UUID) -> Investigation | None:
        """The patient's investigation, if any."""
        return await self.session.scalar(select(Investigation).where(Investigation.patient_id == patient_id))
