"""What an administrator does with the 管理検診 and 行動調査 kept in the care-record read model: rebuild them from
the patients service's current state (`tbms replay reports`)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.patients import BackfillReport, FollowupExamSnapshotPage, InvestigationSnapshotPage, VersionPage
from tbms_core import read_models
from tbms_core.auth import Access, Area, Principal

from reports.care_record.models import FOLLOWUP_EXAM, INVESTIGATION, CareRecord
from reports.care_record.repository import CareRecordRepository
from reports.followup.records import exam_record, investigation_record


class FollowupBackfillService:
    """Backfills the examinations and investigations their events keep, each as its consumer keeps it: a snapshot
    is stored only over an older version, so events arriving meanwhile are never undone."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.records = CareRecordRepository(session)

    async def backfill_exams(self, page: FollowupExamSnapshotPage) -> BackfillReport:
        """Applies one page of 管理検診 snapshots; says how many were stored and how many were already current."""
        self.principal.require(Area.AUDIT, Access.UPDATE)  # writes what it is sent: an administrator's repair
        store = self.records.apply
        return await read_models.backfill(
            self.session, "reports", page, lambda exam: store(exam_record(exam), exam.version), kind="followup-exams"
        )

    async def backfill_investigations(self, page: InvestigationSnapshotPage) -> BackfillReport:
        """Applies one page of 行動調査 snapshots; says how many were stored and how many were already current."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        store = self.records.apply
        return await read_models.backfill(
            self.session,
            "reports",
            page,
            lambda found: store(investigation_record(found), found.version),
            kind="investigations",
        )

    async def exam_versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """The ids and versions of the examinations held, for `tbms reconcile` to compare with the owner's."""
        return await self._versions(FOLLOWUP_EXAM, after, limit)

    async def investigation_versions(self, after: uuid.UUID | None, limit: int) -> VersionPage:
        """The ids and versions of the investigations held, for `tbms reconcile` to compare with the owner's."""
        return await self._versions(INVESTIGATION, after, limit)

    async def _versions(self, kind: str, after: uuid.UUID | None, limit: int) -> VersionPage:
        self.principal.require(Area.AUDIT, Access.UPDATE)
        held = CareRecord.kind == kind
        return await read_models.version_page(self.session, CareRecord.id, CareRecord.version, after, limit, where=held)
