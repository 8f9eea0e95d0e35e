"""Unusual-access analysis over the operation history and the auditor's review of what it finds (N21).

The analysis reads the history incrementally: the days that received rows since the last run, plus the
last few days again (work done the next morning can clear a "search without work" finding), each day
analysed whole so that a second run replaces its findings instead of adding to them. A finding an
auditor has reviewed is never removed by a later run.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit, clock
from tbms_core.app import ServiceKit
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import Database, utcnow
from tbms_core.errors import InvalidInput, NotFound, VersionConflict

from identity.access_review import rules
from identity.access_review.models import UNREVIEWED, AccessFinding, AccessReviewMark, ProtectedPerson
from identity.access_review.repository import AccessReviewRepository
from identity.access_review.rules import JST, RULES, Baseline, Finding, Relations, Thresholds
from identity.access_review.schemas import (
    REVIEW_STATUSES,
    FindingPage,
    FindingRead,
    ProtectedPersonIn,
    ProtectedPersonRead,
    ReviewIn,
    RuleRead,
    RunReport,
    SummaryRead,
)
from identity.assignments.repository import AssignmentRepository

SERVICE = "identity"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisSettings:
    """How the analysis runs: the rules' thresholds and how many recent days are analysed again each run."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    settle_days: int = 2


def day_start(day: date) -> datetime:
    """Midnight of a Japanese date."""
    return datetime.combine(day, clock_time(0), tzinfo=JST)


class AccessAnalysis:
    """Runs the rules over the operation history and keeps their findings."""

    def __init__(self, session: AsyncSession, settings: AnalysisSettings) -> None:
        self.session, self.settings = session, settings
        self.repo = AccessReviewRepository(session)

    async def run(self) -> RunReport:
        """Analyses the new and the recent days; returns what it did."""
        started = time.perf_counter()
        progress = await self.repo.progress(lock=True)
        up_to = await self.repo.last_seq()
        today = clock.today()
        recent = {today - timedelta(days=n) for n in range(self.settings.settle_days)}
        days = sorted(set(await self.repo.days_after(progress.analysed_seq, up_to)) | recent)
        protected = await self.repo.protected()
        relations = await AssignmentRepository(self.session).relations()
        window = timedelta(days=self.settings.thresholds.burst_baseline_days)
        baseline = await self.repo.people_per_day(day_start(days[0]) - window, day_start(days[-1]))
        kept = 0
        for day in days:
            kept += await self._analyse(day, up_to, protected, baseline, relations)
        progress.analysed_seq, progress.analysed_at = up_to, utcnow()
        return RunReport(
            days=len(days), findings=kept, analysed_seq=up_to, seconds=round(time.perf_counter() - started, 3)
        )

    async def _analyse(
        self, day: date, up_to: int, protected: dict[str, str], baseline: Baseline, relations: Relations
    ) -> int:
        limits = self.settings.thresholds
        start = day_start(day)
        following = start + timedelta(days=1) + timedelta(hours=limits.work_window_hours)
        accesses = await self.repo.accesses(start, following, up_to)
        of_day = [access for access in accesses if access.day == day]
        found: list[Finding] = [
            *rules.off_hours(of_day, limits),
            *rules.burst(of_day, baseline, limits),
            *rules.bulk_export(of_day, limits),
            *rules.protected_person(of_day, protected),
            *rules.no_relation(of_day, relations, limits),
            *rules.outside_district(of_day, relations, limits),
            *rules.search_without_work(accesses, day, limits),
        ]
        existing = await self.repo.findings_of_day(day)
        now = utcnow()
        for finding in found:
            await self.repo.upsert(
                {
                    "id": uuid.uuid4(),
                    "rule": finding.rule,
                    "key": finding.key,
                    "user_id": finding.user_id,
                    "username": finding.username,
                    "day": finding.day,
                    "person_id": finding.person_id,
                    "summary": finding.summary,
                    "access_count": len(finding.accesses),
                    "evidence": finding.evidence(),
                    "found_at": now,
                    "status": UNREVIEWED,
                    "note": "",
                    "version": 1,
                }
            )
        gone = {(f.rule, f.key) for f in found}
        await self.repo.drop([row.id for pair, row in existing.items() if pair not in gone])
        return len(found)


class AccessReviewService:
    """What auditors do with the findings: read them, mark each reviewed, keep the protected list."""

    def __init__(self, session: AsyncSession, principal: Principal, settings: AnalysisSettings) -> None:
        self.session, self.principal, self.settings = session, principal, settings
        self.repo = AccessReviewRepository(session)

    def rules(self) -> list[RuleRead]:
        """The rules with their explanations and current thresholds."""
        self.principal.require(Area.AUDIT, Access.READ)
        return [RuleRead.model_validate(rule, from_attributes=True) for rule in RULES.values()]

    async def run(self) -> RunReport:
        """Runs the analysis now (it also runs on its own schedule)."""
        self.principal.require(Area.AUDIT, Access.READ)
        return await AccessAnalysis(self.session, self.settings).run()

    async def findings(
        self, *, since: date | None, until: date | None, status: str | None, rule: str | None, limit: int, offset: int
    ) -> FindingPage:
        """The review list; reading it is recorded."""
        self.principal.require(Area.AUDIT, Access.READ)
        rows, total = await self.repo.search(
            since=since, until=until, status=status, rule=rule, limit=limit, offset=offset
        )
        query = f"from={since or ''} to={until or ''} status={status or ''} rule={rule or ''}"
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="access_review", query=query
        )
        return FindingPage(items=[FindingRead.of(row) for row in rows], total=total)

    async def finding(self, finding_id: uuid.UUID) -> FindingRead:
        """One finding with its evidence and every review decision; reading it is recorded."""
        self.principal.require(Area.AUDIT, Access.READ)
        row = await self.session.get(AccessFinding, finding_id)
        if row is None:
            raise NotFound("指定された検知結果が見つかりません。")
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.READ,
            record_type="access_review",
            record_id=finding_id,
            person_id=row.person_id,
        )
        return FindingRead.of(row, await self.repo.marks(finding_id))

    async def review(self, finding_id: uuid.UUID, decision: ReviewIn) -> FindingRead:
        """Marks a finding 確認済・問題なし, 要確認 or 指導 with a note; refused on a stale version."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        row = await self.repo.get(finding_id)
        if row is None:
            raise NotFound("指定された検知結果が見つかりません。")
        if row.version != decision.version:
            raise VersionConflict()
        if decision.status != "ok" and not decision.note.strip():
            label = REVIEW_STATUSES[decision.status]
            raise InvalidInput(errors={"note": f"「{label}」とする場合は、確認した内容や対応を記入してください。"})
        now = utcnow()
        reviewer = self.principal.username
        row.status, row.note, row.reviewer, row.reviewed_at = decision.status, decision.note, reviewer, now
        row.version += 1
        self.repo.add_mark(
            AccessReviewMark(
                finding_id=finding_id, status=decision.status, note=decision.note, reviewer=reviewer, marked_at=now
            )
        )
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type="access_review",
            record_id=finding_id,
            person_id=row.person_id,
            detail=REVIEW_STATUSES[decision.status],
        )
        await self.session.flush()
        return FindingRead.of(row, await self.repo.marks(finding_id))

    async def summary(self, month: date) -> SummaryRead:
        """Counts of one month's findings per rule and review state, for the 情報セキュリティ責任者."""
        self.principal.require(Area.AUDIT, Access.READ)
        first = month.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        await audit.record(
            self.session, self.principal, SERVICE, Operation.READ, record_type="access_review", query=f"month={first}"
        )
        return SummaryRead.of(first, last, await self.repo.counts(first, last))

    async def protected(self) -> list[ProtectedPersonRead]:
        """The protected people."""
        self.principal.require(Area.AUDIT, Access.READ)
        return [ProtectedPersonRead.model_validate(row) for row in await self.repo.protected_list()]

    async def protect(self, person: ProtectedPersonIn) -> ProtectedPersonRead:
        """Adds a person to the protected list (or changes why); recorded."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        row = ProtectedPerson(
            person_id=person.person_id, reason=person.reason, added_by=self.principal.username, added_at=utcnow()
        )
        await self.repo.protect(row)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type="protected_person",
            person_id=person.person_id,
            detail=person.reason,
        )
        return ProtectedPersonRead.model_validate(row)

    async def unprotect(self, person_id: str) -> None:
        """Removes a person from the protected list; recorded."""
        self.principal.require(Area.AUDIT, Access.UPDATE)
        if not await self.repo.unprotect(person_id):
            raise NotFound("指定された人は対象者一覧にありません。")
        await audit.record(
            self.session, self.principal, SERVICE, Operation.DELETE, record_type="protected_person", person_id=person_id
        )


class AnalysisSchedule:
    """Runs the analysis every `interval` seconds in the background (and logs what it did)."""

    def __init__(self, settings: AnalysisSettings, interval: float) -> None:
        self.settings, self.interval = settings, interval

    async def start(self, kit: ServiceKit) -> None:
        """Startup hook: a background task until the service stops (no task when the interval is 0)."""
        if self.interval > 0:
            kit.tasks.append(asyncio.create_task(self.loop(kit.db), name=f"{kit.name}-access-review"))

    async def loop(self, db: Database) -> None:
        """One run per interval; a failed run is logged and retried at the next interval."""
        while True:
            try:
                async with db.session() as session:
                    report = await AccessAnalysis(session, self.settings).run()
                log.info("access review: %s days, %s findings in %s s", report.days, report.findings, report.seconds)
            except Exception:
                log.exception("access review run failed; retrying in %s s", self.interval)
            await asyncio.sleep(self.interval)
