"""Every care record's current snapshot as CareRecordSaved carries it, from whichever module keeps it (the care
records here, 公費負担 also from the 診査会, the DOTS records): what reports' care-record read model is rebuilt from
(`tbms replay reports`) and repaired from (`tbms reconcile`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import CareRecordSnapshot, VersionPage
from tbms_core import read_models
from tbms_core.auth import Access, Area, Principal

from patients.care.kinds import BY_NAME
from patients.care.repository import CareRecordIndex
from patients.care.service import SERVICE
from patients.dots.cohort_service import CohortService
from patients.dots.events import dots_snapshot, dots_types
from patients.dots.service import DotsService, level_labels


class CareSnapshotService:
    """Hands out the care records' snapshots for an administrator's rebuild; changes nothing."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.index = CareRecordIndex(session)

    def _may_hand_out(self) -> None:
        """Every patient's care records: 監査の更新 and 患者管理の参照, as for the patients and their test results."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        self.principal.require(Area.PATIENTS, Access.READ)

    async def snapshots(self, after: uuid.UUID | None, limit: int) -> list[CareRecordSnapshot]:
        """Every care record's current snapshot after `after` in id order, as its events carry it."""
        self._may_hand_out()
        found = await self._snapshots(await self.index.page_after(after, limit))
        return await read_models.handed_out(self.session, self.principal, SERVICE, "care-records", found, named=False)

    async def snapshots_of(self, record_ids: list[uuid.UUID]) -> list[CareRecordSnapshot]:
        """The current snapshots of the records named that exist, in id order (`tbms reconcile` repairs drift)."""
        self._may_hand_out()
        found = await self._snapshots(await self.index.having(record_ids))
        return await read_models.handed_out(self.session, self.principal, SERVICE, "care-records", found, named=True)

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """Every care record's id and current version after `after`, in id order."""
        self._may_hand_out()
        index = self.index.ids()
        return await read_models.version_page(self.session, index.c.id, index.c.version, after, limit)

    async def _snapshots(self, records: list[tuple[str, Any]]) -> list[CareRecordSnapshot]:
        """Each record as its module publishes it: a care record by its kind, a DOTS record with the labels of the
        settings in force, a cohort review with its course judged today."""
        if not records:
            return []
        types = await dots_types(self.session)
        intensities = (await DotsService(self.session, self.principal).config())["intensities"]
        cohort = CohortService(self.session, self.principal)
        found = []
        for kind, record in records:
            if kind in BY_NAME:
                found.append(BY_NAME[kind].snapshot(record))
            elif kind == "dots_cohort_review":
                found.append(await cohort.review_snapshot(record, types))
            else:
                found.append(dots_snapshot(kind, record, types, labels=level_labels(record, intensities)))
        return found
