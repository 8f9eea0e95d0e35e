"""What an administrator does with the 菌検査 read model: rebuild it from the patients service's current state."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BackfillReport, LabResultSnapshotPage
from tbms_core.auth import Access, Area, Principal

from reports.lab_result.repository import LabResultRepository


class LabResultBackfillService:
    """Backfills the test results the patients service's events keep (lost events, a restored database, an old
    stream): a snapshot is stored only over an older version, so events arriving meanwhile are never undone."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.principal = principal
        self.results = LabResultRepository(session)

    async def backfill(self, page: LabResultSnapshotPage) -> BackfillReport:
        """Applies one page of snapshots; says how many were stored and how many were already current."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # writes what it is sent: an administrator's repair
        applied = 0
        for snapshot in page.items:
            applied += await self.results.apply(snapshot, snapshot.version)
        return BackfillReport(received=len(page.items), applied=applied, current=len(page.items) - applied)
