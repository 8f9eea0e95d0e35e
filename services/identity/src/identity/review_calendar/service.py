"""The review calendar (N21): which operation-history and access-rights reviews are due or overdue, and the record
of each one done (who, when, what they found), every reading and recording audited."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit, clock
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import utcnow
from tbms_core.errors import NotFound

from identity.review_calendar.errors import ReviewAlreadyRecorded
from identity.review_calendar.models import PeriodicReview
from identity.review_calendar.repository import PeriodicReviewRepository
from identity.review_calendar.rules import ACCESS_LOG, KINDS, CalendarSettings, DuePeriod, calendar_of
from identity.review_calendar.schemas import STATUS_LABELS, CalendarLine, CalendarRead, ReviewDoneIn

SERVICE = "identity"
AREA_OF = {ACCESS_LOG: Area.AUDIT, "rights": Area.USERS}  # who may record each kind of review


class ReviewCalendarService:
    """Lists the reviews with their state and records one as done."""

    def __init__(self, session: AsyncSession, principal: Principal, settings: CalendarSettings) -> None:
        self.session, self.principal, self.settings = session, principal, settings
        self.repo = PeriodicReviewRepository(session)

    async def calendar(self) -> CalendarRead:
        """Every listed review, earliest due first; reading it is recorded."""
        self.principal.require(Area.AUDIT, Access.READ)
        today = clock.today()
        done = await self.repo.done()
        periods = calendar_of(today, self.settings)
        items = [self._line(period, done.get((period.kind, period.period)), today) for period in periods]
        await audit.record(self.session, self.principal, SERVICE, Operation.READ, record_type="review_calendar")
        return CalendarRead(
            today=today,
            items=items,
            overdue=sum(item.status == "overdue" for item in items),
            due=sum(item.status == "due" for item in items),
        )

    async def record(self, kind: str, period: str, done: ReviewDoneIn) -> CalendarLine:
        """Records a listed review as done by the current user; a period is recorded once."""
        if kind not in KINDS:
            raise NotFound("指定された種類の確認はありません。")
        self.principal.require(AREA_OF[kind], Access.UPDATE)
        today = clock.today()
        listed = {p.period: p for p in calendar_of(today, self.settings) if p.kind == kind}
        if period not in listed:
            raise NotFound("指定された期間の確認は予定にありません。")
        row = PeriodicReview(
            kind=kind, period=period, reviewer=self.principal.username, reviewed_at=utcnow(), note=done.note
        )
        if not await self.repo.add(row):
            raise ReviewAlreadyRecorded()
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.CREATE,
            record_type="review_calendar",
            detail=f"{KINDS[kind]} {listed[period].label} 実施",
        )
        return self._line(listed[period], row, today)

    @staticmethod
    def _line(period: DuePeriod, done: PeriodicReview | None, today: date) -> CalendarLine:
        if done is not None:
            status = "done"
        elif period.due_on < today:
            status = "overdue"
        else:
            status = "due" if period.ends_on < today else "upcoming"  # a period still running is not due yet
        return CalendarLine(
            kind=period.kind,
            kind_label=KINDS[period.kind],
            period=period.period,
            label=period.label,
            starts_on=period.starts_on,
            ends_on=period.ends_on,
            due_on=period.due_on,
            why=period.why,
            status=status,
            status_label=STATUS_LABELS[status],
            reviewer=done.reviewer if done else None,
            reviewed_at=done.reviewed_at if done else None,
            note=done.note if done else "",
        )
