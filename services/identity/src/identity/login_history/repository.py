"""Every query of the login history; never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.login_history.models import LoginEvent

_CHUNK = 1000


class LoginEventRepository:
    """Reads and writes login events in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest_time(self) -> datetime | None:
        """When the newest copied event happened."""
        return await self.session.scalar(select(func.max(LoginEvent.time)))

    async def add_new(self, rows: list[dict[str, Any]]) -> int:
        """Stores the events not stored yet; returns how many were new."""
        unique = list({row["id"]: row for row in rows}.values())
        added = 0
        for start in range(0, len(unique), _CHUNK):
            statement = (
                insert(LoginEvent)
                .values(unique[start : start + _CHUNK])
                .on_conflict_do_nothing(index_elements=["id"])
                .returning(LoginEvent.id)
            )
            added += len((await self.session.execute(statement)).all())
        return added

    async def fill_usernames(self, rows: list[dict[str, Any]]) -> None:
        """Names the user of events Keycloak stored without a username (a logout, for one)."""
        missing = {row["user_id"] for row in rows if row["user_id"] and not row["username"]}
        if not missing:
            return
        known = {row["user_id"]: row["username"] for row in rows if row["user_id"] in missing and row["username"]}
        lookup = missing - known.keys()
        if lookup:
            stored = await self.session.execute(
                select(LoginEvent.user_id, LoginEvent.username)
                .where(LoginEvent.user_id.in_(lookup), LoginEvent.username != "")
                .order_by(LoginEvent.user_id, LoginEvent.time.desc())
                .distinct(LoginEvent.user_id)
            )
            known.update({user_id: username for user_id, username in stored})
        for row in rows:
            if row["user_id"] and not row["username"]:
                row["username"] = known.get(row["user_id"], "")

    async def search(
        self, *, user: str | None, type: str | None, since: datetime | None, until: datetime | None, limit: int
    ) -> list[LoginEvent]:
        """Events matching every given criterion, newest first."""
        query = select(LoginEvent)
        if user:
            query = query.where(or_(LoginEvent.user_id == user, LoginEvent.username == user))
        if type:
            query = query.where(LoginEvent.type == type)
        query = self._period(query, since, until)
        rows = await self.session.scalars(query.order_by(LoginEvent.time.desc()).limit(limit))
        return list(rows)

    async def latest(
        self,
        user_id: str,
        event_type: str,
        *,
        before: datetime | None = None,
        session: str = "",
        not_session: str = "",
    ) -> LoginEvent | None:
        """A user's newest event of one type, optionally before a time, in one session or outside it."""
        query = self._period(
            select(LoginEvent).where(LoginEvent.user_id == user_id, LoginEvent.type == event_type), None, before
        )
        if session:
            query = query.where(LoginEvent.session_id == session)
        if not_session:
            query = query.where(LoginEvent.session_id != not_session)
        return await self.session.scalar(query.order_by(LoginEvent.time.desc()).limit(1))

    async def count(self, user_id: str, event_type: str, *, since: datetime | None, until: datetime | None) -> int:
        """How many events of one type a user had in a period."""
        query = (
            select(func.count())
            .select_from(LoginEvent)
            .where(LoginEvent.user_id == user_id, LoginEvent.type == event_type)
        )
        return int(await self.session.scalar(self._period(query, since, until)) or 0)

    async def monthly_logins(self, since: datetime, until: datetime) -> list[tuple[str, int, int]]:
        """(JST month YYYY-MM, logins, staff who logged in) between two moments, counted in the database."""
        month = func.to_char(func.timezone("Asia/Tokyo", LoginEvent.time), "YYYY-MM")
        who = func.coalesce(LoginEvent.user_id, LoginEvent.username)
        statement = (
            select(month, func.count(), func.count(who.distinct()))
            .where(LoginEvent.type == "LOGIN", LoginEvent.time >= since, LoginEvent.time < until)
            .group_by(month)
        )
        return [(row[0], row[1], row[2]) for row in await self.session.execute(statement)]

    async def delete_before(self, moment: datetime) -> int:
        """Deletes every event that happened before a moment (retention); how many went."""
        return int((await self.session.execute(delete(LoginEvent).where(LoginEvent.time < moment))).rowcount)

    @staticmethod
    def _period(query: Select[Any], since: datetime | None, until: datetime | None) -> Select[Any]:
        if since is not None:
            query = query.where(LoginEvent.time >= since)
        if until is not None:
            query = query.where(LoginEvent.time < until)
        return query
