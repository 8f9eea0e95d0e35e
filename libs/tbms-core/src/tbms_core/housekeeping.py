"""Retention of the event bookkeeping: published outbox rows and inbox claims are deleted once no one can need them.

Both hold event payloads or ids about people, so they must not grow without limit or outlive the streams.
A published outbox row is needed by nobody after publication (it is kept a while to trace what was sent);
an inbox claim stops a redelivered event from being applied twice, and JetStream redelivers nothing older
than the stream's age, so a claim may go once it is older than that with a margin. Rows not yet published
(pending or parked) are never touched.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import TextClause, text

from tbms_core.db import Database, utcnow
from tbms_core.events import RETENTION_SECONDS

log = logging.getLogger(__name__)
DAY = 24 * 3600.0
SHORTEST_INBOX_DAYS = RETENTION_SECONDS / DAY + 1  # a claim outlives every event the stream can still redeliver

_DELETE_OUTBOX = text(
    "DELETE FROM outbox WHERE id IN "
    "(SELECT id FROM outbox WHERE published_at IS NOT NULL AND published_at < :cutoff LIMIT :batch)"
)
_DELETE_INBOX = text(
    "DELETE FROM inbox WHERE (consumer, event_id) IN "
    "(SELECT consumer, event_id FROM inbox WHERE processed_at < :cutoff LIMIT :batch)"
)


async def delete_in_batches(db: Database, statement: TextClause, cutoff: datetime, batch: int) -> int:
    """Runs a `DELETE ... LIMIT :batch` with `:cutoff` until it deletes less than a batch; each batch commits on
    its own, so a long backlog never holds locks long. Returns how many rows went."""
    total = 0
    while True:
        async with db.session() as session:
            result = await session.execute(statement, {"cutoff": cutoff, "batch": batch})
        total += result.rowcount or 0  # type: ignore[attr-defined]
        if (result.rowcount or 0) < batch:  # type: ignore[attr-defined]
            return total


@dataclass(frozen=True)
class SweepResult:
    """How many rows one sweep deleted."""

    outbox: int
    inbox: int


class EventLogSweep:
    """Deletes published outbox rows and inbox claims past their retention, in small batches, every interval."""

    def __init__(
        self, db: Database, *, outbox_days: float, inbox_days: float, interval: float, batch: int = 5000
    ) -> None:
        if inbox_days < SHORTEST_INBOX_DAYS:
            raise ValueError(f"inbox retention must exceed the streams' {RETENTION_SECONDS / DAY:.0f} days")
        self.db, self.interval, self.batch = db, interval, batch
        self.outbox_age, self.inbox_age = timedelta(days=outbox_days), timedelta(days=inbox_days)

    async def sweep(self, now: datetime | None = None) -> SweepResult:
        """One pass over both tables; each batch commits on its own, so a long backlog never holds locks long."""
        now = now or utcnow()
        outbox = await self._delete_all(_DELETE_OUTBOX, now - self.outbox_age)
        inbox = await self._delete_all(_DELETE_INBOX, now - self.inbox_age)
        return SweepResult(outbox, inbox)

    async def _delete_all(self, statement: TextClause, cutoff: datetime) -> int:
        return await delete_in_batches(self.db, statement, cutoff, self.batch)

    async def run(self) -> None:
        """Sweeps every interval until cancelled; a failed sweep is logged and tried again next time."""
        while True:
            try:
                done = await self.sweep()
                if done.outbox or done.inbox:
                    log.info("event retention: deleted %s outbox rows and %s inbox claims", done.outbox, done.inbox)
            except Exception:
                log.exception("event retention sweep failed; retrying in %s s", self.interval)
            await asyncio.sleep(self.interval)
