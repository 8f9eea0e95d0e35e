"""The unusual-access analysis (N21) over one year of operation history for 200 staff, then incrementally.

    uv run python bench/access_review.py [--staff 200] [--days 365] [--keep]

A synthetic history is bulk-loaded with COPY into a scratch identity database migrated by Alembic: each member of
staff works the office days of the year (weekends, holidays and the year-end break off), and on each works about 30
people: a search before most, reads, updates and prints, at office hours. Planted in it: one user who looks at
people at night on some days, one who exports 2,000 rows once a month, a burst day, reads of three protected people,
one who looks through 25 people of another district once a month, and one who looks up one person of another
district every Tuesday. Every person has a district and a nurse in the assignments read model, and each member of
staff works one of 20 districts, looking at its people. The first run analyses the whole year (what a new
installation does); then one more office day is loaded and the run is repeated (what the hourly schedule does).
Prints the history's size, both durations, the findings per rule and the peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import asyncpg
from identity.access_review.rules import JST
from identity.access_review.service import AccessAnalysis, AnalysisSettings
from tbms_core.db import Database
from tbms_core.jp.calendar import is_day_off
from tbms_testing.services import drop_database, migrate, recreate_database, test_env

COLUMNS = (
    "seq event_id occurred_at service user_id username client_ip operation result person_id record_type record_id "
    "query detail recorded_at prev_hash hash"
).split()
PEOPLE = 20_000
DISTRICTS = 20  # person n lives in district n % 20; staff member m works district m % 20 (and is nurse of some)
DUMMY_HASH = "0" * 64


def day_rows(day: date, staff: int, rng: random.Random, seq: int) -> list[tuple]:
    """One office day of every member of staff."""
    rows: list[tuple] = []
    for member in range(staff):
        user = f"staff-{member:03d}"
        district = member % DISTRICTS
        count = 30 if member != 7 or day.day != 15 else 150  # staff-007 bursts
        patients = [district + DISTRICTS * k for k in rng.sample(range(PEOPLE // DISTRICTS), count)]  # own district
        if member == 13 and day.day == 20:  # staff-013 looks through another district once a month
            patients += [(district + 1) % DISTRICTS + DISTRICTS * k for k in range(25)]
        if member == 17 and day.weekday() == 1:  # staff-017 looks up someone of another district on Tuesdays
            patients.append((district + 2) % DISTRICTS + DISTRICTS * day.isocalendar().week)
        start = datetime(day.year, day.month, day.day, 8, 30, tzinfo=JST)
        for n, person in enumerate(patients):
            moment = start + timedelta(minutes=n * 15 % 600 + rng.randrange(10))
            pid = f"person-{person:05d}"
            if n % 2 == 0:
                rows.append(row(seq := seq + 1, moment, user, "search", None, "search", query=f"試験{person}"))
            rows.append(row(seq := seq + 1, moment + timedelta(minutes=1), user, "read", pid, "patient"))
            if n % 3 != 2:
                rows.append(row(seq := seq + 1, moment + timedelta(minutes=4), user, "update", pid, "patient"))
            if n % 10 == 0:
                rows.append(row(seq := seq + 1, moment + timedelta(minutes=6), user, "print", pid, "document"))
        if member == 3 and day.day % 9 == 0:  # staff-003 reads at night now and then
            night = datetime(day.year, day.month, day.day, 22, 40, tzinfo=JST)
            rows.append(row(seq := seq + 1, night, user, "read", f"person-{rng.randrange(PEOPLE):05d}", "patient"))
        if member == 5 and day.day <= 2:  # staff-005 exports the month's list
            export = datetime(day.year, day.month, day.day, 17, 0, tzinfo=JST)
            rows.append(row(seq := seq + 1, export, user, "export", None, "patient", detail="CSV 2,000件"))
        if member == 11 and day.weekday() == 2:  # staff-011 opens a protected person's record on Wednesdays
            moment = datetime(day.year, day.month, day.day, 12, 10, tzinfo=JST)
            rows.append(row(seq := seq + 1, moment, user, "read", f"protected-{day.isocalendar().week % 3}", "patient"))
    return rows


def row(seq: int, moment: datetime, user: str, operation: str, person: str | None, record: str, **more: str) -> tuple:
    """One audit_events row (the chain's hashes are not what this measures)."""
    return (
        seq, uuid.uuid4(), moment, "bench", user, user, "192.0.2.20", operation, "success", person, record, person,
        more.get("query"), more.get("detail"), moment.astimezone(UTC), DUMMY_HASH, DUMMY_HASH,
    )  # fmt: skip


async def load(dsn: str, days: list[date], staff: int, seq: int) -> int:
    """COPYs the days' history; returns the last seq."""
    rng = random.Random(7)  # noqa: S311 - synthetic data, not secrets
    conn = await asyncpg.connect(dsn)
    try:
        for day in days:
            rows = day_rows(day, staff, rng, seq)
            await conn.copy_records_to_table("audit_events", records=rows, columns=COLUMNS)
            seq += len(rows)
        await conn.execute("ANALYZE audit_events")
    finally:
        await conn.close()
    return seq


async def load_assignments(conn: asyncpg.Connection, staff: int) -> None:
    """The assignments read model: every person's district and nurse, every member of staff's district."""
    await conn.execute("DELETE FROM person_assignments; DELETE FROM district_staff")
    people = [
        (f"person-{n:05d}", "patient", f"d{n % DISTRICTS}", f"staff-{n % DISTRICTS % staff:03d}", [], 1)
        for n in range(PEOPLE)
    ]
    await conn.executemany("INSERT INTO person_assignments VALUES ($1, $2, $3, $4, $5, $6, now())", people)
    rows = [(f"sa-{m}", f"d{m % DISTRICTS}", f"staff-{m:03d}", True, 1) for m in range(staff)]
    await conn.executemany("INSERT INTO district_staff VALUES ($1, $2, $3, $4, $5)", rows)


async def main() -> None:
    """Loads, analyses, loads a day more, analyses again, prints."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--database", help="a database an earlier --keep run loaded: analyse it again")
    args = parser.parse_args()
    database = args.database or f"tbms_identity_bench{os.getpid()}"
    env = await asyncio.to_thread(test_env, "identity", database)
    if not args.database:
        await recreate_database(database)
    await asyncio.to_thread(migrate, "identity", env)
    url = env["TBMS_IDENTITY_DATABASE_URL"]
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    last = date(2026, 11, 30)
    year = [last - timedelta(days=n) for n in range(args.days, 0, -1)]
    office = [day for day in year if not is_day_off(day)]
    started = time.perf_counter()
    if args.database:
        conn = await asyncpg.connect(dsn)
        seq = await conn.fetchval(
            "SELECT max(seq) FROM audit_events WHERE occurred_at < $1", datetime(2026, 12, 1, tzinfo=JST)
        )
        async with conn.transaction():  # the day a previous run appended goes (the history is append-only otherwise)
            await conn.execute("SELECT set_config('tbms.audit_purge', 'on', true)")
            await conn.execute("DELETE FROM audit_events WHERE occurred_at >= $1", datetime(2026, 12, 1, tzinfo=JST))
        await conn.execute("DELETE FROM access_findings; DELETE FROM protected_persons")
        await conn.execute("UPDATE access_review_progress SET analysed_seq = 0")
        await conn.close()
    else:
        seq = await load(dsn, office, args.staff, 0)
    loaded = time.perf_counter() - started
    print(f"history: {seq:,} rows, {len(office)} office days, {args.staff} staff, loaded in {loaded:.0f} s")
    db = Database(url, pool_size=2)
    try:
        conn = await asyncpg.connect(dsn)
        await conn.executemany(
            "INSERT INTO protected_persons VALUES ($1, '職員', 'bench', now())", [(f"protected-{n}",) for n in range(3)]
        )
        await load_assignments(conn, args.staff)
        await conn.close()
        async with db.session() as session:
            first = await AccessAnalysis(session, AnalysisSettings()).run()
        print(
            f"first run (whole year): {first.days} days analysed, {first.findings:,} findings in {first.seconds:.1f} s"
        )
        seq = await load(dsn, [last + timedelta(days=1)], args.staff, seq)
        async with db.session() as session:
            again = await AccessAnalysis(session, AnalysisSettings()).run()
        print(f"incremental run (one new day): {again.days} days, {again.findings:,} findings in {again.seconds:.2f} s")
        conn = await asyncpg.connect(dsn)
        per_rule = Counter(
            {r["rule"]: r["n"] for r in await conn.fetch("SELECT rule, count(*) n FROM access_findings GROUP BY rule")}
        )
        await conn.close()
        print("findings per rule:", dict(per_rule))
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    finally:
        await db.dispose()
        if not args.keep:
            await drop_database(database)


if __name__ == "__main__":
    asyncio.run(main())
