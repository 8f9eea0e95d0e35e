"""Every query of the index cases; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import select
from tbms_core.db import apply_snapshot
from tbms_core.repository import Repository

from contacts.index_case.errors import IndexCaseNotFound
from contacts.index_case.models import IndexCase


class IndexCaseRepository(Repository[IndexCase]):
    """Reads and upserts index cases in the caller's unit of work."""

    model = IndexCase
    not_found = IndexCaseNotFound

    async def apply(self, patient_id: uuid.UUID, values: dict[str, Any]) -> bool:
        """Stores a patient's summary unless a newer version is held; True when it was applied."""
        return await apply_snapshot(self.session, IndexCase, {"patient_id": patient_id}, values)

    async def names(self, patient_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The names of those index patients contacts knows (unknown ones left out)."""
        if not patient_ids:
            return {}
        rows = await self.session.execute(
            select(IndexCase.patient_id, IndexCase.name).where(IndexCase.patient_id.in_(patient_ids))
        )
        return {patient_id: name for patient_id, name in rows}

    async def born_on(self, day: date, limit: int) -> list[IndexCase]:
        """The registered patients (not another area's external index) born on `day`."""
        rows = await self.session.scalars(
            select(IndexCase)
            .where(IndexCase.birth_date == day, IndexCase.status != "external")
            .order_by(IndexCase.registration_no)
            .limit(limit)
        )
        return list(rows)

    async def registered(self, patient_id: uuid.UUID) -> IndexCase | None:
        """The registered patient of this id, unless unknown or another area's external index."""
        found = await self.find(patient_id)
        return found if found is not None and found.status != "external" else None
