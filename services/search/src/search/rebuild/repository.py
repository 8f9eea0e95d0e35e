"""Every query of the rebuilds; never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from search.engine.base import RebuildState
from search.rebuild.models import Rebuild

RUNNING = RebuildState.RUNNING.value
STARTS = text("SELECT pg_advisory_xact_lock(hashtext('search-rebuild-start'))")


class RebuildRepository:
    """Reads and writes rebuild rows in the caller's unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, rebuild: Rebuild) -> Rebuild:
        """Adds a rebuild row."""
        self.session.add(rebuild)
        await self.session.flush()
        return rebuild

    async def wait_for_other_starts(self) -> None:
        """Serialises two `reset` requests until the end of the transaction: one takes over from the other."""
        await self.session.execute(STARTS)

    async def running(self, *, lock: bool = False) -> Rebuild | None:
        """The running rebuild, if any (locked until the transaction ends when `lock`)."""
        query = select(Rebuild).where(Rebuild.state == RUNNING).order_by(Rebuild.started_at.desc()).limit(1)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def running_id(self) -> str | None:
        """The id of the running rebuild, if any (what every event asks)."""
        query = select(Rebuild.id).where(Rebuild.state == RUNNING).limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def lock(self, rebuild_id: str) -> Rebuild | None:
        """One rebuild, locked until the transaction ends."""
        query = select(Rebuild).where(Rebuild.id == rebuild_id).with_for_update()
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()

    async def stale(self, before: datetime) -> list[Rebuild]:
        """Running rebuilds with no page since `before`; one a page is being posted to is skipped (locked)."""
        query = (
            select(Rebuild)
            .where(Rebuild.state == RUNNING, Rebuild.last_progress_at < before)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(query.execution_options(populate_existing=True))).scalars())

    async def latest(self) -> Rebuild | None:
        """The rebuild started last, whatever became of it."""
        query = select(Rebuild).order_by(Rebuild.started_at.desc()).limit(1)
        return (await self.session.execute(query)).scalar_one_or_none()
