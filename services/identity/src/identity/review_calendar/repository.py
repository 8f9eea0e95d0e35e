"""Every query of the review calendar; never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.review_calendar.models import PeriodicReview


class PeriodicReviewRepository:
    """The reviews done, in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def done(self) -> dict[tuple[str, str], PeriodicReview]:
        """Every review done, by (kind, period)."""
        return {(row.kind, row.period): row for row in await self.session.scalars(select(PeriodicReview))}

    async def add(self, review: PeriodicReview) -> bool:
        """Keeps a review done; False when the period's review was recorded before."""
        result = await self.session.execute(
            insert(PeriodicReview)
            .values(
                kind=review.kind,
                period=review.period,
                reviewer=review.reviewer,
                reviewed_at=review.reviewed_at,
                note=review.note,
            )
            .on_conflict_do_nothing(constraint="uq_periodic_reviews_kind_period")
        )
        return bool(result.rowcount)
