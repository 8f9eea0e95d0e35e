"""患者一覧 at national scale: 300,000 registered patients (Japan registers about 10,000 TB patients a year and about
another 10,000 LTBI; the register keeps them for years after treatment), over 500 districts and 2,000 nurses, read
through the patients API in-process with a real demo-user token, sorted and filtered as a nurse does.

    uv run python bench/patient_list.py [--patients 300000] [--districts 500] [--nurses 2000] [--rounds 10]

Rows are generated inside PostgreSQL (INSERT … SELECT over generate_series) into a scratch database migrated by
Alembic, each patient with its list facts judged today (活動性 from a spread of classification codes, one in three
with an open alert, one in ten of those 要対応, deadlines over the coming year). Then VACUUM ANALYZE. Prints p50/p95
per list shape (first page of 50, as the gateway asks, and the deepest page allowed) and how many patients match.
The last line is a page whose facts were judged yesterday: the 50 patients judged again on reading.
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
from tbms_core.web import MAX_OFFSET
from tbms_testing import auth_headers, service_client

TODAY = clock.jst(2026, 12, 1, 10)
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"

LOAD = [
    (
        "patients",
        """INSERT INTO patients (id, registration_no, registered_on, category, name, name_kana, sex, birth_date,
             postal_code, address, phone, status, district, nurse, version, updated_by)
           SELECT md5('p' || n)::uuid, '2020-' || lpad(n::text, 7, '0'), date '2020-01-01' + (n % 2500),
             (ARRAY['patient','patient','recovered','ltbi','provisional'])[n % 5 + 1], '試験 太郎' || n,
             substr($4, n % 45 + 1, 1) || substr($4, (n / 45) % 45 + 1, 1) || ' タロウ',
             CASE WHEN n % 2 = 0 THEN 'male' ELSE 'female' END, date '1925-01-01' + (n % 36000), '1540017',
             '東京都試験区試験町' || n, '', CASE WHEN n % 20 = 0 THEN 'excluded' ELSE 'active' END,
             '地区' || (n % $2 + 1), 'nurse' || (n % $3 + 1), 1, 'bench'
           FROM generate_series(1, $1) AS n""",
    ),
    (
        "patient_list_facts",
        """INSERT INTO patient_list_facts (patient_id, classification_code, activity, alert_count, urgent_count, alerts,
             next_due_on, next_due_what, computed_on)
           SELECT md5('p' || n)::uuid, ((n % 9) + 1)::text,
             (ARRAY['active','active','active','active','active','inactive','unknown','ltbi','ltbi'])[n % 9 + 1],
             CASE WHEN n % 3 = 0 THEN 1 + n % 2 ELSE 0 END, CASE WHEN n % 30 = 0 THEN 1 ELSE 0 END,
             CASE WHEN n % 3 = 0
               THEN '[{"level": "注意", "message": "喀痰検査が2か月以上ありません。", "due_on": null}]'
               ELSE '[]' END::jsonb,
             CASE WHEN n % 3 = 0 THEN date '2026-12-01' + (n % 365) END,
             CASE WHEN n % 3 = 0 THEN '喀痰検査が2か月以上ありません。' ELSE '' END, date '2026-12-01'
           FROM generate_series(1, $1) AS n""",
    ),
]
SHAPES = {
    "newest (default)": {},
    "by カナ": {"sort": "name_kana", "descending": "false"},
    "by 生年月日": {"sort": "birth_date", "descending": "false"},
    "地区 + by 次回予定": {"district": "地区7", "sort": "next_due_on", "descending": "false"},
    "担当保健師 + by カナ": {"nurse": "nurse7", "sort": "name_kana", "descending": "false"},
    "by 次回予定 (all)": {"sort": "next_due_on", "descending": "false"},
    "活動性 + 年齢層 65-79": {"activity": "active", "age_band": "65-79"},
    "要対応 + 登録中": {"alerts": "urgent", "status": "active"},
    "登録区分 LTBI + by 地区": {"category": "ltbi", "sort": "district", "descending": "false"},
}


async def load(client: httpx.AsyncClient, patients: int, districts: int, nurses: int) -> None:
    """Generates the register inside PostgreSQL."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        for table, sql in LOAD:
            started = time.perf_counter()
            args = (patients, districts, nurses, KANA) if "$2" in sql else (patients,)
            await conn.execute(sql, *args)
            count = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            print(f"{table:20} {count:>10,} rows in {time.perf_counter() - started:6.1f} s")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def age_the_facts(client: httpx.AsyncClient) -> None:
    """Makes every fact a day old (as on the morning after they were judged)."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE patient_list_facts SET computed_on = date '2026-11-30' WHERE true")
    finally:
        await conn.close()


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def timed(client: httpx.AsyncClient, params: dict[str, str], rounds: int) -> tuple[list[float], int]:
    """`rounds` reads of one list; the times in ms and the total."""
    headers, times, total = auth_headers("nurse1"), [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        answer = await client.get("/patients", params={"limit": 50, "fresh": "true", **params}, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        total = answer.json()["total"]
    return times, total


async def measure(client: httpx.AsyncClient, rounds: int) -> None:
    """Each list shape, first page and deepest page; the 担当保健師 counts; a stale page judged again."""
    await timed(client, {}, 1)  # warm
    print(f"{'list (50 rows)':28} {'p50 ms':>8} {'p95 ms':>8} {'deep p50':>9} {'total':>9}")
    for name, params in SHAPES.items():
        first, total = await timed(client, params, rounds)
        deep_offset = min(MAX_OFFSET, max(0, total - 50))
        deep, _ = await timed(client, {**params, "offset": str(deep_offset)}, max(3, rounds // 3))
        row = f"{statistics.median(first):8.1f} {percentile(first, 95):8.1f} {statistics.median(deep):9.1f}"
        print(f"{name:28} {row} {total:9,}")
    times = []
    for _ in range(max(3, rounds // 3)):
        started = time.perf_counter()
        (await client.get("/patients/nurses", headers=auth_headers("nurse1"))).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{'担当保健師 counts (all)':28} {statistics.median(times):8.1f} {percentile(times, 95):8.1f}")
    await age_the_facts(client)
    stale, _ = await timed(client, {"district": "地区3"}, 1)
    again, _ = await timed(client, {"district": "地区3"}, 1)
    print(f"{'stale page judged again':28} {stale[0]:8.1f} (then {again[0]:.1f} ms once judged)")


async def main() -> None:
    """Loads, measures and reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=300_000)
    parser.add_argument("--districts", type=int, default=500)
    parser.add_argument("--nurses", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    clock.set_clock(TODAY)
    async with service_client("patients", create_app) as client:
        client.timeout = httpx.Timeout(300)
        logging.disable(logging.INFO)  # the service's access log would drown the figures
        started = time.perf_counter()
        await load(client, args.patients, args.districts, args.nurses)
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        await measure(client, args.rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
