"""管理検診 at national scale: 60,000 結核回復者 in follow-up (Japan registers about 10,000 TB patients a year and keeps
them two years after treatment, with LTBI and the high-risk group besides), each with a plan and four scheduled
examinations, read as the clerk's lists through the patients API in-process with a real demo-user token.

    uv run python bench/followup_list.py [--patients 60000] [--districts 50] [--rounds 10]

Rows are generated inside PostgreSQL (INSERT … SELECT over generate_series) into a scratch database migrated by
Alembic. Treatment ends are spread over the two years before 2026-12-01 (so about a quarter of the examinations
are in the past): three in four of the past ones are done and judged, one in twenty done without a judgement (the
"results missing" list), the rest overdue; one in ten future ones has its notice sent. One in twenty patients is
excluded (the lists leave them out). Then VACUUM ANALYZE. Prints p50/p95 per list and the number of rows it has.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import time

import asyncpg
import httpx
from patients.main import create_app
from tbms_core import clock
from tbms_testing import auth_headers, service_client

TODAY = clock.jst(2026, 12, 1, 10)

LOAD = [
    (
        "patients",
        """INSERT INTO patients (id, registration_no, registered_on, category, name, name_kana, sex, birth_date,
             postal_code, address, phone, status, district, nurse, version, updated_by)
           SELECT md5('p' || n)::uuid, '2024-' || lpad(n::text, 6, '0'), date '2024-01-01' + (n % 700),
             'recovered', '試験 太郎' || n, 'シケン タロウ', CASE WHEN n % 2 = 0 THEN 'male' ELSE 'female' END,
             date '1940-01-01' + (n % 25000), '1540017', '東京都世田谷区試験町' || n, '',
             CASE WHEN n % 20 = 0 THEN 'excluded' ELSE 'active' END, '地区' || (n % $2 + 1), '', 1, 'bench'
           FROM generate_series(1, $1) AS n""",
    ),
    (
        "followup_plans",
        """INSERT INTO followup_plans (id, patient_id, ended_on, ltbi, risk_factors, profile, note, version,
             updated_by)
           SELECT md5('f' || n)::uuid, md5('p' || n)::uuid, date '2024-12-01' + (n % 730), false, '[]', 'standard',
             '', 1, 'bench'
           FROM generate_series(1, $1) AS n""",
    ),
    (
        "followup_exams",
        """INSERT INTO followup_exams (id, patient_id, seq, due_on, months, reason, notice_sent_on, examined_on,
             judgement, version, updated_by)
           SELECT gen_random_uuid(), md5('p' || n)::uuid, s,
             (date '2024-12-01' + (n % 730)) + make_interval(months => 6 * s),
             6 * s, '治療終了日から' || (6 * s) || 'か月（治療終了後2年間・6か月ごと）',
             CASE WHEN (date '2024-12-01' + (n % 730)) + make_interval(months => 6 * s) < date '2026-12-01'
                    OR n % 10 = 0 THEN (date '2024-12-01' + (n % 730)) + make_interval(months => 6 * s - 1) END,
             CASE WHEN (date '2024-12-01' + (n % 730)) + make_interval(months => 6 * s) < date '2026-12-01'
                    AND (n + s) % 5 <> 0 THEN (date '2024-12-01' + (n % 730)) + make_interval(months => 6 * s) END,
             CASE WHEN (date '2024-12-01' + (n % 730)) + make_interval(months => 6 * s) < date '2026-12-01'
                    AND (n + s) % 5 <> 0 AND (n + s) % 20 <> 1 THEN 'normal' ELSE '' END,
             1, 'bench'
           FROM generate_series(1, $1) AS n CROSS JOIN generate_series(1, 4) AS s""",
    ),
]


async def load(client: httpx.AsyncClient, patients: int, districts: int) -> None:
    """Generates the follow-up population inside PostgreSQL."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        for table, sql in LOAD:
            started = time.perf_counter()
            args = (patients, districts) if "$2" in sql else (patients,)
            await conn.execute(sql, *args)
            count = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            print(f"{table:16} {count:>10,} rows in {time.perf_counter() - started:6.1f} s")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def measure(client: httpx.AsyncClient, rounds: int) -> None:
    """Runs each list `rounds` times (first page of 100); p50/p95 and the list's total."""
    headers = auth_headers("viewer1")
    shapes = {
        f"{view}{' 地区2' if district else ''}": {"view": view, "district": district}
        for view in ("notices", "due", "overdue", "missing")
        for district in ("", "地区2")
    }
    (await client.get("/followup/list", params={"view": "due"}, headers=headers)).raise_for_status()  # warm
    print(f"{'list (first 100 rows)':24} {'p50 ms':>8} {'p95 ms':>8} {'total':>8}")
    for name, params in shapes.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.get("/followup/list", params=params, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        print(f"{name:24} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {answer.json()['total']:8,}")


async def main() -> None:
    """Loads, measures and reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=60_000)
    parser.add_argument("--districts", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    clock.set_clock(TODAY)
    async with service_client("patients", create_app) as client:
        client.timeout = httpx.Timeout(300)
        logging.disable(logging.INFO)  # the service's access log would drown the figures
        started = time.perf_counter()
        await load(client, args.patients, args.districts)
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        await measure(client, args.rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
