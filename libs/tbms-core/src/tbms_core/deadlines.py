"""The deadlines a service publishes for its records (R11, R17): republished in the unit of work that changed
a record, and swept once a Japan day for the date rules that became due with no change at all.

A service installs one DeadlinePublisher on its database. Every flush of a unit of work notes the records its
rows belong to (`record_of`); before the commit the publisher recomputes those records' deadlines and, when they
differ from what it published last, stores them with a new revision and puts DeadlinesChanged in the outbox, in
the same transaction as the change. Recomputing the same set changes nothing (idempotent). The daily sweep does
the same for the records whose deadlines were last computed on an earlier Japan day.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, String, event, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, mapped_column
from tbms_contracts.deadlines import Deadline, DeadlineRecord, DeadlinesChanged, deadlines_subject

from tbms_core import outbox
from tbms_core.clock import today
from tbms_core.db import Base, Database
from tbms_core.events import Envelope

log = logging.getLogger(__name__)
_TOUCHED = "tbms_deadlines_touched"  # session.info key: the records this unit of work changed, per publisher


class PublishedDeadlines(Base):
    """What a record's deadlines were when last published, and the Japan day they were last computed."""

    __tablename__ = "published_deadlines"

    aggregate: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    deadlines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    computed_on: Mapped[date | None] = mapped_column(Date, index=True)


@dataclass(frozen=True)
class Computed:
    """A record's deadlines as its rules give them now; `after` is a revision the next one must exceed."""

    record: DeadlineRecord
    deadlines: list[Deadline]
    after: int = 0


# The service's rules: the current deadlines of these records (a record no longer there is left out).
Compute = Callable[[AsyncSession, Sequence[str]], Awaitable[Mapping[str, Computed]]]
# The records to look at on a day: never computed, or computed on an earlier day (at most `limit`, in id order).
Candidates = Callable[[AsyncSession, date, int], Awaitable[list[str]]]


@dataclass(frozen=True)
class SweepCount:
    """How many records a sweep recomputed and how many of them had deadlines that changed."""

    checked: int
    republished: int


class DeadlinePublisher:
    """Publishes one service's deadlines of one aggregate whenever they change, and sweeps them daily."""

    def __init__(
        self,
        service: str,
        aggregate: str,
        *,
        record_of: Callable[[object], object | None],
        compute: Compute,
        candidates: Candidates,
        batch: int = 200,
    ) -> None:
        self.service, self.aggregate, self.batch = service, aggregate, batch
        self.record_of, self.compute, self.candidates = record_of, compute, candidates
        self.key = f"{_TOUCHED}:{service}:{aggregate}"

    def install(self, db: Database) -> None:
        """Follows every unit of work of this database: notes the records flushed, republishes before commit."""
        event.listen(db.session_class, "after_flush", self._note_flushed)
        db.before_commit.append(self.republish)

    def touch(self, session: AsyncSession, record_ids: Iterable[object]) -> None:
        """Marks records whose deadlines may have changed without a row of theirs being written."""
        self._touched(session.sync_session).update(str(record_id) for record_id in record_ids)

    def _touched(self, session: Session) -> set[str]:
        return session.info.setdefault(self.key, set())  # type: ignore[no-any-return]

    def _note_flushed(self, session: Session, _context: object) -> None:
        touched = self._touched(session)
        for instance in (*session.new, *session.dirty, *session.deleted):
            if isinstance(instance, PublishedDeadlines):
                continue
            record_id = self.record_of(instance)
            if record_id is not None:
                touched.add(str(record_id))

    async def republish(self, session: AsyncSession) -> None:
        """Before commit: the deadlines of every record this unit of work touched, published if they changed."""
        await session.flush()  # rows still pending are noted by their flush first
        touched = session.sync_session.info.pop(self.key, set())
        if not touched:
            return
        try:
            async with session.begin_nested():
                await self.publish(session, sorted(touched))
        except Exception:
            # A rule that fails on some record must not refuse the nurse's save: the change commits, the records
            # are marked as not computed, and the sweep's next round (every few minutes) tries them again.
            log.exception("%s deadlines of %s not recomputed; the sweep will retry", self.aggregate, sorted(touched))
            await self._forget(session, sorted(touched))
        session.sync_session.info.pop(self.key, None)  # our own writes touched nothing of the domain

    async def publish(self, session: AsyncSession, record_ids: Sequence[str], *, day: date | None = None) -> int:
        """Recomputes these records' deadlines and publishes those that differ from the last published; how many."""
        day = day or today()
        held = await self._lock(session, sorted(set(record_ids)))
        computed = await self.compute(session, list(held))
        changed = 0
        for record_id, row in held.items():
            found = computed.get(record_id) or Computed(DeadlineRecord(**self._record(record_id)), [])
            deadlines = sorted(found.deadlines, key=lambda d: d.key)
            values = [d.model_dump(mode="json") for d in deadlines]
            row.computed_on = day
            if values == row.deadlines and row.revision > 0:
                continue
            row.revision = max(row.revision, found.after) + 1
            row.deadlines = values
            change = DeadlinesChanged(record=found.record, revision=row.revision, deadlines=deadlines)
            await outbox.add(
                session,
                Envelope(
                    type=deadlines_subject(self.service),
                    aggregate_id=record_id,
                    aggregate_version=row.revision,
                    actor="deadlines",
                    payload=change.model_dump(mode="json"),
                ),
            )
            changed += 1
        await session.flush()
        return changed

    async def _forget(self, session: AsyncSession, record_ids: list[str]) -> None:
        """Marks records as never computed, so the next sweep recomputes them."""
        await session.execute(
            update(PublishedDeadlines)
            .where(PublishedDeadlines.aggregate == self.aggregate, PublishedDeadlines.record_id.in_(record_ids))
            .values(computed_on=None)
        )

    def _record(self, record_id: str) -> dict[str, str]:
        return {"service": self.service, "aggregate": self.aggregate, "id": record_id}

    async def _lock(self, session: AsyncSession, record_ids: list[str]) -> dict[str, PublishedDeadlines]:
        """The published rows of these records, created when missing and locked (in id order) until commit, so
        two changes of one record publish one after the other, each computed on what the other committed."""
        if not record_ids:
            return {}
        await session.execute(
            pg_insert(PublishedDeadlines)
            .values([{"aggregate": self.aggregate, "record_id": r, "revision": 0, "deadlines": []} for r in record_ids])
            .on_conflict_do_nothing()
        )
        rows = await session.scalars(
            select(PublishedDeadlines)
            .where(PublishedDeadlines.aggregate == self.aggregate, PublishedDeadlines.record_id.in_(record_ids))
            .order_by(PublishedDeadlines.record_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {row.record_id: row for row in rows}

    async def sweep(self, db: Database, *, day: date | None = None, everything: bool = False) -> SweepCount:
        """Recomputes, batch by batch (each its own transaction), every record not yet computed on this day (or,
        `everything`, every record again: after a rule or a setting changed)."""
        day = day or today()
        checked = republished = 0
        if everything:
            async with db.session() as session:
                await session.execute(
                    update(PublishedDeadlines)
                    .where(PublishedDeadlines.aggregate == self.aggregate)
                    .values(computed_on=None)
                )
        while True:
            async with db.session() as session:
                ids = await self.candidates(session, day, self.batch)
                if ids:
                    republished += await self._publish_each(session, ids, day)
            checked += len(ids)
            if len(ids) < self.batch:
                return SweepCount(checked, republished)

    async def _publish_each(self, session: AsyncSession, ids: list[str], day: date) -> int:
        """The batch at once; if a rule fails, each record alone, and one that still fails waits for the next day
        (logged), so one bad record never stops the others nor loops the sweep."""
        try:
            async with session.begin_nested():
                return await self.publish(session, ids, day=day)
        except Exception:
            log.warning("%s deadline sweep: a batch failed, recomputing its records one by one", self.aggregate)
        changed = 0
        for record_id in ids:
            try:
                async with session.begin_nested():
                    changed += await self.publish(session, [record_id], day=day)
            except Exception:
                log.exception("%s deadlines of %s not recomputed; tried again tomorrow", self.aggregate, record_id)
                await self._mark(session, record_id, day)
        return changed

    async def _mark(self, session: AsyncSession, record_id: str, day: date) -> None:
        """Notes a record as computed on the day without publishing (its rule failed)."""
        values = {
            "aggregate": self.aggregate,
            "record_id": record_id,
            "revision": 0,
            "deadlines": [],
            "computed_on": day,
        }
        statement = pg_insert(PublishedDeadlines).values(values)
        await session.execute(
            statement.on_conflict_do_update(index_elements=["aggregate", "record_id"], set_={"computed_on": day})
        )

    async def run(self, db: Database, interval: float) -> None:
        """Every interval, sweeps the records not computed on Japan's today (nothing to do until the day turns)."""
        while True:
            await asyncio.sleep(interval)
            try:
                done = await self.sweep(db)
                if done.republished:
                    log.info("%s deadlines: %s of %s records changed", self.aggregate, done.republished, done.checked)
            except Exception:
                log.exception("the %s deadline sweep failed; retrying in %s s", self.aggregate, interval)
