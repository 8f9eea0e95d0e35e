"""The deadline publisher: a unit of work that writes a record's rows republishes its deadlines before commit, only
when they changed, never for a rolled-back change, one after the other for concurrent changes; a failing rule does
not refuse the save and is retried by the sweep; the sweep takes each record once a Japan day (R11, R17)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, timedelta

import pytest
from sqlalchemy import Date, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from tbms_contracts.deadlines import Deadline, DeadlineRecord, DeadlinesChanged, deadlines_subject
from tbms_core import clock
from tbms_core.db import Base, Database
from tbms_core.deadlines import Computed, DeadlinePublisher, PublishedDeadlines
from tbms_core.outbox import OutboxMessage
from tbms_testing.services import drop_database, recreate_database
from tbms_testing.stack import ensure_infrastructure

BROKEN = "rule-fails"


class _Toy(DeclarativeBase):
    """Tables of this test only (kept out of the services' metadata)."""


class Visit(_Toy):
    """A row of some record: its due date is the record's deadline."""

    __tablename__ = "toy_visits"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    owner_id: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date] = mapped_column(Date)


async def compute(session: AsyncSession, ids: Sequence[str]) -> Mapping[str, Computed]:
    """One deadline per record: its latest visit's due date; a record named BROKEN has a failing rule."""
    if BROKEN in ids:
        raise ValueError("a rule failed")
    found = {}
    for record_id in ids:
        due = await session.scalar(
            select(Visit.due_on).where(Visit.owner_id == record_id).order_by(Visit.due_on.desc())
        )
        record = DeadlineRecord(service="toys", aggregate="toy", id=record_id)
        deadlines = [] if due is None or due < clock.today() else [_deadline(record, due)]
        found[record_id] = Computed(record, deadlines)
    return found


def _deadline(record: DeadlineRecord, due: date) -> Deadline:
    return Deadline(
        key=f"toys:toy:{record.id}:visit:1", kind="visit", rule="試験", what="訪問", due_on=due, record=record
    )


async def candidates(session: AsyncSession, day: date, limit: int) -> list[str]:
    """Every owner of a visit not yet computed on the day."""
    owners = set(await session.scalars(select(Visit.owner_id)))
    done = set(await session.scalars(select(PublishedDeadlines.record_id).where(PublishedDeadlines.computed_on >= day)))
    return sorted(owners - done)[:limit]


PUBLISHER = DeadlinePublisher(
    "toys", "toy", record_of=lambda row: getattr(row, "owner_id", None), compute=compute, candidates=candidates
)


@pytest.fixture
async def db() -> AsyncIterator[Database]:
    """A scratch database with the outbox, the published deadlines and the toy rows, the publisher installed."""
    ensure_infrastructure()
    name = f"tbms_deadlines_t{os.getpid()}"
    await recreate_database(name)
    database = Database(f"postgresql+asyncpg://tbms@127.0.0.1:55432/{name}")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[OutboxMessage.__table__, PublishedDeadlines.__table__])
        await conn.run_sync(_Toy.metadata.create_all)
    PUBLISHER.install(database)
    yield database
    clock.set_clock(None)
    await database.dispose()
    await drop_database(name)


async def published(db: Database, owner: str) -> list[DeadlinesChanged]:
    """The record's DeadlinesChanged events in the outbox, oldest first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subject == deadlines_subject("toys"))
            .order_by(OutboxMessage.created_at)
        )
        payloads = [row.payload for row in rows if row.payload["aggregate_id"] == owner]
    return [DeadlinesChanged.model_validate(p["payload"]) for p in payloads]


async def visit(db: Database, owner: str, due: date) -> None:
    """Saves a visit of the record in a unit of work of its own."""
    async with db.session() as session:
        session.add(Visit(owner_id=owner, due_on=due))


@pytest.mark.req("R11", "R17", partial=True)
async def test_a_save_publishes_changed_deadlines_once_and_an_unchanged_or_rolled_back_one_nothing(
    db: Database,
) -> None:
    due = clock.today() + timedelta(days=5)
    async with db.session() as session:
        session.add(Visit(owner_id="a", due_on=due))
        await session.flush()
        session.add(Visit(owner_id="a", due_on=due))  # a second flush in the same unit of work: still one event
    [first] = await published(db, "a")
    assert first.revision == 1 and [d.due_on for d in first.deadlines] == [due]

    await visit(db, "a", due)  # the same deadline again: nothing to publish
    assert len(await published(db, "a")) == 1

    with pytest.raises(RuntimeError):
        async with db.session() as session:
            session.add(Visit(owner_id="a", due_on=due + timedelta(days=9)))
            await session.flush()
            raise RuntimeError("the save failed")
    assert len(await published(db, "a")) == 1  # rolled back with the change

    await visit(db, "a", due + timedelta(days=9))
    moved = await published(db, "a")
    assert [c.revision for c in moved] == [1, 2] and moved[-1].deadlines[0].due_on == due + timedelta(days=9)


@pytest.mark.req("R11", "R17", partial=True)
async def test_concurrent_saves_of_one_record_publish_in_turn_the_last_seeing_both(db: Database) -> None:
    day = clock.today()
    await asyncio.gather(*(visit(db, "b", day + timedelta(days=n)) for n in (3, 7)))
    changes = await published(db, "b")
    assert [c.revision for c in changes] == list(range(1, len(changes) + 1))
    assert changes[-1].deadlines[0].due_on == day + timedelta(days=7)  # whichever committed last saw both visits


@pytest.mark.req("R11", "R17", partial=True)
async def test_a_failing_rule_keeps_the_save_and_the_sweep_publishes_once_a_day(db: Database) -> None:
    day = clock.today()
    await visit(db, BROKEN, day + timedelta(days=1))
    async with db.session() as session:
        assert await session.scalar(select(Visit.owner_id).where(Visit.owner_id == BROKEN)) == BROKEN  # saved
    assert await published(db, BROKEN) == []

    await visit(db, "c", day)  # due today: a deadline until the day turns
    assert (await published(db, "c"))[-1].deadlines
    assert (await PUBLISHER.sweep(db)).checked == 1  # only the broken one was left to compute; it fails again
    clock.set_clock(clock.jst(day.year, day.month, day.day, 23, 59) + timedelta(minutes=2))
    swept = await PUBLISHER.sweep(db)  # the next day: the batch fails on the broken record, the others still go
    assert (swept.checked, swept.republished) == (2, 1) and (await published(db, "c"))[-1].deadlines == []
    assert (await PUBLISHER.sweep(db)).checked == 0  # the same day again: nothing left, not even the broken one
