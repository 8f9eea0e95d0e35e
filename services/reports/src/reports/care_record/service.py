"""What an administrator does with the care-record read model: rebuild it from the patients service's current
state (`tbms replay reports`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BackfillReport, CareRecordSnapshotPage, VersionPage
from tbms_core import read_models
from tbms_core.auth import Access, Area, Principal

from reports.care_record.models import FOLLOWUP_EXAM, INVESTIGATION, CareRecord
from reports.care_record.repository import CareRecordRepository


class CareRecordBackfillService:
    """Backfills the care records CareRecordSaved keeps (treatments, stays, transfers, progress notes, 公費負担, DOTS
    records): a snapshot is stored only over an older version, so events arriving meanwhile are never undone."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.records = CareRecordRepository(session)

    async def backfill(self, page: CareRecordSnapshotPage) -> BackfillReport:
        """Applies one page of snapshots; says how many were stored and how many were already current."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # writes what it is sent: an administrator's repair
        store = self.records.apply
        return await read_models.backfill(
            self.session, "reports", page, lambda snapshot: store(snapshot, snapshot.version), kind="care-records"
        )

    async def versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """The ids and versions of the care records held (not the 管理検診 and 行動調査 kept beside them, which
        other events bring), for `tbms reconcile` to compare with the owner's."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        others = CareRecord.kind.not_in((FOLLOWUP_EXAM, INVESTIGATION))
        return await read_models.version_page(
            self.session, CareRecord.id, CareRecord.version, after, limit, where=others
        )
