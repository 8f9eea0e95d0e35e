"""HTTP API of the review calendar (点検の予定と実施記録, N21)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from identity.review_calendar.schemas import CalendarLine, CalendarRead, ReviewDoneIn
from identity.review_calendar.service import ReviewCalendarService
from identity.settings import get_settings

router = APIRouter(prefix="/review-calendar", tags=["点検の予定"])


def get_calendar_service(session: SessionDep, principal: PrincipalDep) -> ReviewCalendarService:
    """The review calendar of this request, with the configured schedule."""
    return ReviewCalendarService(session, principal, get_settings().review_calendar)


CalendarDep = Annotated[ReviewCalendarService, Depends(get_calendar_service)]


@router.get("")
async def review_calendar(service: CalendarDep) -> CalendarRead:
    """The operation-history and access-rights reviews: done, waiting, overdue and next."""
    return await service.calendar()


@router.post("/{kind}/{period:path}", status_code=201)
async def record_review(kind: str, period: str, done: ReviewDoneIn, service: CalendarDep) -> CalendarLine:
    """Records a review as done by the current user, with a note."""
    return await service.record(kind, period, done)
