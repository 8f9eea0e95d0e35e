"""The queries of the deadline publisher: the patients to compute, and those not yet computed on a day."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.deadlines import PublishedDeadlines

from patients.patient.models import Patient

AGGREGATE = "patient"


class PatientDeadlineRepository:
    """Reads patients for their deadlines; never writes."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def patients(self, ids: Sequence[str]) -> list[Patient]:
        """The patients of these ids that exist."""
        rows = await self.session.scalars(select(Patient).where(Patient.id.in_([uuid.UUID(i) for i in ids])))
        return list(rows)

    async def not_computed_on(self, day: date, limit: int) -> list[str]:
        """Patients whose deadlines were never computed or last computed before `day`; an excluded patient only
        while deadlines of theirs are still published."""
        published = and_(
            PublishedDeadlines.aggregate == AGGREGATE, PublishedDeadlines.record_id == cast(Patient.id, String)
        )
        query = (
            select(Patient.id)
            .outerjoin(PublishedDeadlines, published)
            .where(or_(PublishedDeadlines.computed_on.is_(None), PublishedDeadlines.computed_on < day))
            .where(or_(Patient.status != "excluded", func.jsonb_array_length(PublishedDeadlines.deadlines) > 0))
            .order_by(Patient.id)
            .limit(limit)
        )
        return [str(row) for row in await self.session.scalars(query)]
