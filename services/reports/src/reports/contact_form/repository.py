"""Every query of the contact forms over the contact read model; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import literal, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from reports.patient_summary.models import PatientSummary
from reports.request_letter.models import ContactSummary


class ContactFormRepository:
    """Reads contact snapshots (and the index patient) for the contact forms."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def contact(self, contact_id: uuid.UUID) -> Mapping[str, Any] | None:
        """The contact's last snapshot, or None."""
        summary = await self.session.get(ContactSummary, contact_id)
        return summary.snapshot if summary else None

    async def received(self, day: date, place: str) -> list[Mapping[str, Any]]:
        """The contacts with an examination received on the day at the place."""
        return await self._containing("exams", [{"received_on": day.isoformat(), "reception_place": place}])

    async def xrays_on(self, day: date) -> list[Mapping[str, Any]]:
        """The contacts with a chest X-ray done on the day."""
        return await self._containing("exams", [{"kind": "xray", "done_on": day.isoformat()}])

    async def of_index(self, patient_id: uuid.UUID) -> list[Mapping[str, Any]]:
        """The contacts exposed to the index patient."""
        return await self._containing("exposures", [{"index_patient_id": str(patient_id)}])

    async def patient(self, patient_id: uuid.UUID) -> PatientSummary | None:
        """The index patient as the read model holds them, or None."""
        return await self.session.get(PatientSummary, patient_id)

    async def _containing(self, key: str, pattern: list[dict[str, str]]) -> list[Mapping[str, Any]]:
        rows = await self.session.scalars(
            select(ContactSummary.snapshot).where(
                ContactSummary.snapshot.op("@>")(literal({key: pattern}, type_=JSONB))
            )
        )
        return list(rows)
