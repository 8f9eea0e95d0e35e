"""The operations log's own sources in identity: the health watcher, planned stops, and the three-year purge."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from tbms_contracts.audit import OperationsKind
from tbms_core.app import ServiceKit
from tbms_core.db import Database, utcnow
from tbms_core.housekeeping import delete_in_batches
from tbms_core.operations_log import entry_id

from identity.operations_log.repository import DELETE_OLDER, MODE_COMPONENT, OperationsLogRepository

log = logging.getLogger(__name__)
SHORTEST_RETENTION_DAYS = 3 * 365  # N18: failure records are kept three years


async def probe(client: httpx.AsyncClient, url: str) -> tuple[bool, str]:
    """Whether a health URL answers 2xx, and if not why (a status or an error type, never a body)."""
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        return False, type(exc).__name__
    return response.is_success, f"HTTP {response.status_code}"


class HealthWatcher:
    """Asks every configured component's health URL every interval and logs only changes (down→up, up→down)."""

    def __init__(
        self,
        db: Database,
        targets: Mapping[str, str],
        *,
        interval: float = 30.0,
        timeout: float = 5.0,
        maintenance_url: str = "",
    ) -> None:
        self.db, self.targets, self.interval, self.timeout = db, dict(targets), interval, timeout
        self.maintenance_url = maintenance_url

    async def start(self, kit: ServiceKit) -> None:
        """Startup hook: the background task until the service stops."""
        if self.interval > 0 and (self.targets or self.maintenance_url):
            kit.tasks.append(asyncio.create_task(self.run(), name=f"{kit.name}-health-watch"))

    async def run(self) -> None:
        """Checks every interval until cancelled; a failed round is logged and tried again next time."""
        while True:
            try:
                await self.check_once()
            except Exception:
                log.exception("health watch failed; retrying in %s s", self.interval)
            await asyncio.sleep(self.interval)

    async def check_once(self) -> list[tuple[str, bool]]:
        """One round: every component probed at once; returns the changes logged (component, up)."""
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            names = list(self.targets)
            results = await asyncio.gather(*(probe(client, self.targets[name]) for name in names))
            schedule = await self._schedule(client) if self.maintenance_url else None
        at = utcnow()
        changes = []
        async with self.db.session() as session:
            repo = OperationsLogRepository(session)
            for name, (up, why) in zip(names, results, strict=True):
                changed = await repo.change_health(name, up, at)
                if changed is None:
                    continue
                kind = OperationsKind.COMPONENT_UP if changed else OperationsKind.COMPONENT_DOWN
                details = {"url": self.targets[name]} | ({} if up else {"error": why})
                await repo.add(uuid.uuid4(), at, kind.value, name, details)
                changes.append((name, changed))
            if schedule is not None:
                windows, mode = schedule
                await record_maintenance(repo, windows, at)
                if mode is not None:
                    await record_maintenance_mode(repo, mode, at)
        return changes

    async def _schedule(self, client: httpx.AsyncClient) -> tuple[list[PlannedStop], bool | None] | None:
        """The gateway's planned stops and whether its maintenance mode is on (None: it does not say)."""
        try:
            response = await client.get(self.maintenance_url)
            response.raise_for_status()
            body = response.json()
            mode = body.get("mode")
            return [PlannedStop.of(w) for w in body["windows"]], mode if isinstance(mode, bool) else None
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError):
            log.warning("planned stops could not be read from %s", self.maintenance_url, exc_info=True)
            return None


@dataclass(frozen=True)
class PlannedStop:
    """A maintenance window as the gateway announces it (保守・停止の予定)."""

    start: datetime
    end: datetime
    text: str

    @classmethod
    def of(cls, data: Mapping[str, str]) -> PlannedStop:
        """From the gateway's JSON."""
        return cls(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]), str(data["text"]))


async def record_maintenance(repo: OperationsLogRepository, windows: list[PlannedStop], now: datetime) -> None:
    """Logs a planned stop's start once it has begun and its end once it is over (each once: ids from its start).

    A stop seen only after it ended is not logged: whether it took place is unknown."""
    for window in windows:
        if window.start > now or (now >= window.end and not await _started(repo, window)):
            continue
        start_id = entry_id("maintenance", OperationsKind.MAINTENANCE_START, window.start.isoformat())
        details = {"plan": window.text[:500], "planned_end": window.end.isoformat()}
        await repo.add(start_id, window.start, OperationsKind.MAINTENANCE_START.value, "gateway", details)
        if now >= window.end:
            end_id = entry_id("maintenance", OperationsKind.MAINTENANCE_END, window.start.isoformat())
            details = {"plan": window.text[:500], "started": window.start.isoformat()}
            await repo.add(end_id, window.end, OperationsKind.MAINTENANCE_END.value, "gateway", details)


MODE_PLAN = "保守モード（設定による停止）"


async def record_maintenance_mode(repo: OperationsLogRepository, on: bool, now: datetime) -> bool | None:
    """Logs the maintenance mode switched on (a stop begins) or off (it ends), once per switch however many watchers
    see it; a mode already on when first watched is logged as begun then. Returns the change logged, if any."""
    changed = await repo.change_health(MODE_COMPONENT, not on, now)
    if changed is None:
        return None
    kind = OperationsKind.MAINTENANCE_END if changed else OperationsKind.MAINTENANCE_START
    await repo.add(uuid.uuid4(), now, kind.value, "gateway", {"plan": MODE_PLAN})
    return not changed


async def _started(repo: OperationsLogRepository, window: PlannedStop) -> bool:
    start_id = entry_id("maintenance", OperationsKind.MAINTENANCE_START, window.start.isoformat())
    return await repo.has(start_id)


class OperationsLogSweep:
    """Deletes entries older than the retention (at least three years), in small batches, every interval."""

    def __init__(self, db: Database, *, retention_days: float, interval: float, batch: int = 5000) -> None:
        if retention_days < SHORTEST_RETENTION_DAYS:
            raise ValueError(f"the operations log is kept at least {SHORTEST_RETENTION_DAYS} days (N18)")
        self.db, self.interval, self.batch = db, interval, batch
        self.retention = timedelta(days=retention_days)

    async def start(self, kit: ServiceKit) -> None:
        """Startup hook: the background task until the service stops."""
        if self.interval > 0:
            kit.tasks.append(asyncio.create_task(self.run(), name=f"{kit.name}-operations-log-retention"))

    async def sweep(self, now: datetime | None = None) -> int:
        """One pass: deletes every entry older than the retention; returns how many went."""
        return await delete_in_batches(self.db, DELETE_OLDER, (now or utcnow()) - self.retention, self.batch)

    async def run(self) -> None:
        """Sweeps every interval until cancelled; a failed sweep is logged and tried again next time."""
        while True:
            try:
                if deleted := await self.sweep():
                    log.info("operations log retention: deleted %s entries", deleted)
            except Exception:
                log.exception("operations log sweep failed; retrying in %s s", self.interval)
            await asyncio.sleep(self.interval)
