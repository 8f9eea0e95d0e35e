"""What an administrator does with the patient read model: rebuild it from the owner's current state."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BackfillReport, PatientSnapshotPage, VersionPage
from tbms_core import read_models
from tbms_core.auth import Access, Area, Principal

from reports.patient_summary.models import PatientSummary
from reports.patient_summary.repository import PatientSummaryRepository


class PatientSummaryService:
    """Backfills the read model the patients service's events keep (lost events, a restored database, an old
    stream): a snapshot is stored only over an older version, so events arriving meanwhile are never undone."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.summaries = PatientSummaryRepository(session)

    async def backfill(self, page: PatientSnapshotPage) -> BackfillReport:
        """Applies one page of snapshots; says how many were stored and how many were already current."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # writes what it is sent: an administrator's repair
        store = self.summaries.apply
        return await read_models.backfill(
            self.session, "reports", page, lambda snapshot: store(snapshot, snapshot.version), kind="patients"
        )

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """The ids and versions the read model holds, for `tbms reconcile` to compare with the owner's."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        return await read_models.version_page(self.session, PatientSummary.id, PatientSummary.version, after, limit)
