"""Rebuilds of the index from the owners, recorded in the search database so every search process agrees.

A rebuild fills a new index beside the live one; events go to both; `done` swaps the new one in. A rebuild no
page came for within `rebuild_timeout_minutes` is abandoned: its index is deleted, the live one is untouched.
A new `reset` while one is running takes over: the older one is abandoned (its command's next page gets 409),
since the administrator who starts again means the newer one, and a command that died cannot say so itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.clock import now
from tbms_core.db import Database

from search.engine.base import IndexStatus, RebuildState, SearchEngine
from search.rebuild.errors import RebuildNotRunning
from search.rebuild.models import Rebuild
from search.rebuild.repository import RebuildRepository
from search.settings import get_settings

log = logging.getLogger(__name__)
MISSING = "作りかけの索引が見つかりません（the new index is missing）"


class RebuildService:
    """Starts, feeds, finishes and discards rebuilds; the engine follows what the rows say."""

    def __init__(self, session: AsyncSession, engine: SearchEngine, *, timeout: timedelta | None = None) -> None:
        self.session, self.engine = session, engine
        self.rebuilds = RebuildRepository(session)
        self.timeout = timeout or timedelta(minutes=get_settings().rebuild_timeout_minutes)

    async def start(self) -> Rebuild:
        """Begins a rebuild into a new index, taking over from one still running."""
        await self.rebuilds.wait_for_other_starts()
        rebuild = Rebuild(id=uuid.uuid4().hex, started_at=now(), last_progress_at=now(), records_sent=0)
        previous = await self.rebuilds.running(lock=True)
        if previous is not None:
            await self._end(
                previous,
                RebuildState.ABANDONED,
                f"新しい再構築（{rebuild.id}）に引き継ぎました（taken over by rebuild {rebuild.id}）",
            )
        await self.rebuilds.add(rebuild)
        try:
            await self.engine.begin_rebuild(rebuild.id)
        except Exception:
            with contextlib.suppress(Exception):  # the first error is the one to report
                await self.engine.abandon_rebuild(rebuild.id)
            raise
        log.warning("search index rebuild %s started", rebuild.id)
        return rebuild

    async def current(self, rebuild_id: str | None) -> Rebuild | None:
        """The rebuild a page belongs to, locked for the page: the one named, else the running one (if any)."""
        if rebuild_id is None:
            rebuild = await self.rebuilds.running(lock=True)
        else:
            rebuild = await self.rebuilds.lock(rebuild_id)
            if rebuild is None or not rebuild.running:
                raise RebuildNotRunning(rebuild.detail if rebuild else "")
        if rebuild is not None and not await self.engine.follow_rebuild(rebuild.id):
            raise RebuildNotRunning(MISSING)
        return rebuild

    def progress(self, rebuild: Rebuild, sent: int) -> None:
        """Notes a page: the rebuild is alive."""
        rebuild.last_progress_at = now()
        rebuild.records_sent += sent

    async def finish(self, rebuild: Rebuild) -> None:
        """Swaps the new index in and closes the rebuild."""
        await self.engine.finish_rebuild(rebuild.id)
        await self._end(rebuild, RebuildState.FINISHED, "", drop=False)
        log.warning("search index rebuild %s finished: %d records sent", rebuild.id, rebuild.records_sent)

    async def expire(self) -> list[Rebuild]:
        """Discards rebuilds no page came for within the timeout; the engine then follows the running one, if any."""
        minutes = round(self.timeout.total_seconds() / 60, 1)
        detail = (
            f"{minutes:g}分間ページが届かなかったため、作りかけの索引を破棄しました。検索は元の索引のまま使えます。"
            f"`tbms search reindex` をやり直してください（no page for {minutes:g} minutes: the new index was "
            "discarded, the live index is unchanged）"
        )
        stale = await self.rebuilds.stale(now() - self.timeout)
        for rebuild in stale:
            await self._end(rebuild, RebuildState.ABANDONED, detail)
            log.error("search index rebuild %s abandoned: %s", rebuild.id, detail)
        running = await self.rebuilds.running()
        if running is not None and not await self.engine.follow_rebuild(running.id):
            locked = await self.rebuilds.lock(running.id)
            if locked is not None and locked.running:
                await self._end(locked, RebuildState.FAILED, MISSING)
        elif running is None:
            await self.engine.follow_rebuild(None)
        return stale

    async def status(self) -> IndexStatus:
        """The live index's state with the latest rebuild."""
        latest = await self.rebuilds.latest()
        return (await self.engine.status()).with_rebuild(latest.progress() if latest else None)

    async def _end(self, rebuild: Rebuild, state: RebuildState, detail: str, *, drop: bool = True) -> None:
        if drop:
            await self.engine.abandon_rebuild(rebuild.id)
        rebuild.state, rebuild.detail, rebuild.finished_at = state.value, detail, now()
        await self.session.flush()


async def follow_running_rebuild(session: AsyncSession, engine: SearchEngine) -> None:
    """Before an event is applied: a rebuild running (begun by any process) gets the event too."""
    running = await RebuildRepository(session).running_id()
    if running is not None:
        await engine.follow_rebuild(running)


async def check_rebuilds(db: Database, engine: SearchEngine) -> IndexStatus:
    """Discards abandoned rebuilds in a unit of work of its own, then reads the status with the latest rebuild."""
    try:
        async with db.session() as session:
            await RebuildService(session, engine).expire()
    except Exception:  # the status is still worth reading; the next check tries again
        log.exception("discarding abandoned search index rebuilds failed")
    async with db.session() as session:
        return await RebuildService(session, engine).status()


async def resume_rebuilds(db: Database, engine: SearchEngine) -> None:
    """At start: follows the running rebuild's index again (or marks it failed) and deletes what a crash left."""
    status = await check_rebuilds(db, engine)
    running = status.rebuild is not None and status.rebuild.state is RebuildState.RUNNING
    await engine.discard_stray_rebuilds(status.rebuild.id if running and status.rebuild else None)


async def watch_rebuilds(db: Database, engine: SearchEngine, interval: float) -> None:
    """Checks for abandoned rebuilds every `interval` seconds, even when nobody reads the status."""
    while True:
        await asyncio.sleep(interval)
        try:
            await check_rebuilds(db, engine)
        except Exception:
            log.exception("checking the search index rebuilds failed")
