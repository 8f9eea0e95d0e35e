"""Every query of the edit-history module; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from tbms_core.repository import Repository

from patients.history.models import RecordVersion


class RecordVersionRepository(Repository[RecordVersion]):
    """Reads and writes version rows in the caller's unit of work."""

    model = RecordVersion

    async def of_person(self, person_id: uuid.UUID) -> list[RecordVersion]:
        """Every saved change about a person, newest first."""
        rows = await self.session.scalars(
            select(RecordVersion)
            .where(RecordVersion.person_id == person_id)
            .order_by(RecordVersion.changed_at.desc(), RecordVersion.version.desc())
        )
        return list(rows)
