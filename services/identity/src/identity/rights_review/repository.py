"""Queries of the access-rights review; never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.login_history.models import LoginEvent
from identity.rights_review.models import RightsConfirmation


class RightsReviewRepository:
    """Reads last logins and keeps confirmations, in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def last_logins(self) -> dict[str, datetime]:
        """user_id -> the time of the user's newest successful login."""
        rows = await self.session.execute(
            select(LoginEvent.user_id, func.max(LoginEvent.time))
            .where(LoginEvent.type == "LOGIN", LoginEvent.user_id.is_not(None))
            .group_by(LoginEvent.user_id)
        )
        return {user_id: when for user_id, when in rows}

    async def latest_confirmations(self) -> dict[str, RightsConfirmation]:
        """user_id -> the newest confirmation of the account."""
        rows = await self.session.scalars(
            select(RightsConfirmation)
            .order_by(RightsConfirmation.user_id, RightsConfirmation.confirmed_at.desc())
            .distinct(RightsConfirmation.user_id)
        )
        return {row.user_id: row for row in rows}

    async def confirmations(self, user_id: str) -> list[RightsConfirmation]:
        """Every confirmation of one account, newest first."""
        rows = await self.session.scalars(
            select(RightsConfirmation)
            .where(RightsConfirmation.user_id == user_id)
            .order_by(RightsConfirmation.confirmed_at.desc())
        )
        return list(rows)

    def add(self, confirmation: RightsConfirmation) -> None:
        """Keeps a confirmation."""
        self.session.add(confirmation)
