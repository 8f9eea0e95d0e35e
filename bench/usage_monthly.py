"""利用統計 (N30): identity counting twelve months of use, and a month's search words, over a year of history.

    uv run python bench/usage_monthly.py [--staff 200] [--days 365] [--keep] [--database <kept database>]

The year of history is the access-review benchmark's (access_review.py: 200 staff on every office day, searches,
reads, updates and prints at office hours, bulk-loaded with COPY into a scratch identity database), plus one login
per member of staff and office day. Then `UsageService.monthly` counts the twelve months the 利用統計 page shows,
three times (the first cold), and `UsageService.search_words` the most frequent words of November's searches (what
the page asks) and of the whole year, three times each; prints the rows, each duration and the peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time

import asyncpg
from access_review import JST, load
from identity.usage.service import UsageService
from tbms_core.auth import Principal
from tbms_core.db import Database
from tbms_core.jp.calendar import is_day_off
from tbms_testing.services import drop_database, migrate, recreate_database, test_env

DISTRICTS = ["世田谷", "北沢", "玉川", "砧", "烏山"]  # kept as typed, as the page asks
LOGIN_COLUMNS = "id time type user_id username client_id session_id ip_address error details copied_at".split()


class Auditor(Principal):
    """An administrator with 監査 参照, as the page's user is."""

    def require(self, *_: object) -> None:
        return None


def at(day: date) -> datetime:
    """08:30 in Japan on the day."""
    return datetime.combine(day, clock_time(8, 30), JST)


async def load_logins(dsn: str, days: list[date], staff: int) -> int:
    """One LOGIN per member of staff and office day, at 08:30 JST."""
    loaded = datetime.now(JST)
    rows = [
        (login_id, at(day), "LOGIN", user, user, "tbms-gateway", login_id, "", "", "{}", loaded)
        for day in days
        for m in range(staff)
        for login_id, user in [(f"login-{day}-{m}", f"staff-{m:03d}")]
    ]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("login_events", records=rows, columns=LOGIN_COLUMNS)
        await conn.execute("ANALYZE login_events")
    finally:
        await conn.close()
    return len(rows)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--database", help="a database access_review.py --keep loaded: count it again")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database to count again")
    args = parser.parse_args()
    database = args.database or f"tbms_identity_usage{os.getpid()}"
    env = await asyncio.to_thread(test_env, "identity", database)
    if not args.database:
        await recreate_database(database)
    await asyncio.to_thread(migrate, "identity", env)
    url = env["TBMS_IDENTITY_DATABASE_URL"]
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    last = date(2026, 11, 30)
    office = [day for day in (last - timedelta(days=n) for n in range(args.days, 0, -1)) if not is_day_off(day)]
    started = time.perf_counter()
    if not args.database:
        await load(dsn, office, args.staff, 0)
    conn = await asyncpg.connect(dsn)
    if not await conn.fetchval("SELECT count(*) FROM login_events"):
        await load_logins(dsn, office, args.staff)
    history = await conn.fetchval("SELECT count(*) FROM audit_events")
    logins = await conn.fetchval("SELECT count(*) FROM login_events")
    await conn.close()
    print(f"history: {history:,} operation rows and {logins:,} logins, loaded in {time.perf_counter() - started:.0f} s")
    db = Database(url, pool_size=2)
    auditor = Auditor(user_id="bench-auditor", username="bench", display_name="bench", token="")
    try:
        for attempt in range(3):
            async with db.session() as session:
                began = time.perf_counter()
                report = await UsageService(session, auditor).monthly(date(2025, 12, 1), last)
                seconds = time.perf_counter() - began
                await session.rollback()  # the bench keeps no audit row of its own reads
            reads = sum(month.reads for month in report.months)
            print(f"run {attempt + 1}: {len(report.months)} months, {reads:,} reads counted in {seconds:.2f} s")
        for first, label in ((date(2026, 11, 1), "November"), (date(2025, 12, 1), "the year")):
            for attempt in range(3):
                async with db.session() as session:
                    began = time.perf_counter()
                    words = await UsageService(session, auditor).search_words(first, last, top=10, keep=DISTRICTS)
                    seconds = time.perf_counter() - began
                    await session.rollback()
                top = ", ".join(f"{word.word} {word.count:,}" for word in words.words[:3])
                print(f"words of {label}, run {attempt + 1}: {words.searches:,} searches in {seconds:.2f} s ({top})")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    finally:
        await db.dispose()
        if not args.database and not args.keep:
            await drop_database(database)


if __name__ == "__main__":
    asyncio.run(main())
