"""What an administrator does with the 菌検査 read model: rebuild it from the patients service's current state."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BackfillReport, LabResultSnapshotPage, VersionPage
from tbms_core import read_models
from tbms_core.auth import Access, Area, Principal

from reports.lab_result.models import LabResult
from reports.lab_result.repository import LabResultRepository


class LabResultBackfillService:
    """Backfills the test results the patients service's events keep (lost events, a restored database, an old
    stream): a snapshot is stored only over an older version, so events arriving meanwhile are never undone."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.results = LabResultRepository(session)

    async def backfill(self, page: LabResultSnapshotPage) -> BackfillReport:
        """Applies one page of snapshots; says how many were stored and how many were already current."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # writes what it is sent: an administrator's repair
        store = self.results.apply
        return await read_models.backfill(
            self.session, "reports", page, lambda snapshot: store(snapshot, snapshot.version), kind="lab-results"
        )

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """The ids and versions of the test results held, for `tbms reconcile` to compare with the owner's."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        return await read_models.version_page(self.session, LabResult.id, LabResult.version, after, limit)
