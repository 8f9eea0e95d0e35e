"""DOTS at national scale: a year of 10,000 patients (Japan registers about 10,000 TB patients a year) with a
confirmation for every day of every course, read through the patients API in-process with a real demo-user token.

    uv run python bench/dots_cohort.py [--patients 10000] [--nurses 25] [--rounds 10]

Rows are generated inside PostgreSQL (INSERT … SELECT over generate_series) into a scratch database migrated by
Alembic; the service's own path would write a history row and an audit event per confirmation. Every patient
starts a course in 2025 (one in five is LTBI on 6H), has one support plan with one of the nurses, and one
confirmation for each day of the course (182 each: about 93 % taken, 5 % missed, 2 % unknown; one in twenty
interrupts for 71 days running). Three cultures per patient (positive at the start, negative in months 3 and 6;
one in ten has no month-6 culture), a transfer out for one in fifty, a death within a month for one in a hundred.
The confirmations' nurse index is dropped for the load and built again, then VACUUM ANALYZE. Prints p50/p95 per
query shape; the cohort list answers a page of 100 courses (the first, and the last of the year) with the counts and
the DOTS rate of the whole period.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import time
from datetime import date, timedelta

import asyncpg
import httpx
from patients.main import create_app
from tbms_testing import auth_headers, service_client

DAY = date(2025, 11, 20)  # the day sheet's day: about half the year's courses are running
AS_OF = date(2026, 12, 31)  # the cohort of 2025 is reviewed at the end of 2026

LOAD = [
    (
        "patients",
        """INSERT INTO patients (id, registration_no, registered_on, category, name, name_kana, sex, birth_date,
             postal_code, address, phone, status, district, nurse, version, updated_by)
           SELECT md5('p' || n)::uuid, '2025-' || lpad(n::text, 5, '0'), date '2025-01-01' + (n * 7 % 365),
             CASE WHEN n % 5 = 0 THEN 'ltbi' ELSE 'patient' END, '試験 太郎' || n, 'シケン タロウ',
             CASE WHEN n % 2 = 0 THEN 'male' ELSE 'female' END, date '1940-01-01' + (n % 25000), '1540017',
             '東京都世田谷区試験町' || n, '', 'active', '世田谷', '', 1, 'bench'
           FROM generate_series(1, $1) AS n""",
    ),
    (
        "treatments",
        """INSERT INTO treatments (id, patient_id, regimen, regimen_note, started_on, planned_end_on, ended_on,
             outcome, institution, note, version, updated_by)
           SELECT md5('t' || n)::uuid, md5('p' || n)::uuid, CASE WHEN n % 5 = 0 THEN '6H' ELSE '2HREZ/4HR' END, '',
             date '2025-01-01' + (n * 7 % 365), date '2025-01-01' + (n * 7 % 365) + 181,
             date '2025-01-01' + (n * 7 % 365) + 181, '', '試験病院', '', 1, 'bench'
           FROM generate_series(1, $1) AS n""",
    ),
    (
        "dots_plans",
        """INSERT INTO dots_plans (id, patient_id, treatment_id, starts_on, ends_on, dots_type, intensity, nurse,
             nurse_name, version, updated_by)
           SELECT md5('d' || n)::uuid, md5('p' || n)::uuid, md5('t' || n)::uuid, date '2025-01-01' + (n * 7 % 365),
             date '2025-01-01' + (n * 7 % 365) + 181, (ARRAY['outpatient', 'visit', 'contact'])[n % 3 + 1],
             (ARRAY['A', 'B', 'C'])[n % 3 + 1], 'nurse' || (n % $2 + 1), '試験 花子', 1, 'bench'
           FROM generate_series(1, $1) AS n""",
    ),
    (
        "dots_confirmations",
        """INSERT INTO dots_confirmations (id, patient_id, confirmed_on, method, status, confirmed_by,
             confirmed_by_name, version, updated_by)
           SELECT gen_random_uuid(), md5('p' || n)::uuid, date '2025-01-01' + (n * 7 % 365) + d,
             (ARRAY['face_to_face', 'empty_packet', 'phone', 'video', 'pharmacy', 'institution'])[(n + d) % 6 + 1],
             CASE WHEN n % 20 = 2 AND d BETWEEN 40 AND 110 THEN 'missed'
                  WHEN (n * 31 + d * 17) % 100 < 5 THEN 'missed'
                  WHEN (n * 31 + d * 17) % 100 < 7 THEN 'unknown' ELSE 'taken' END,
             'nurse' || (n % $2 + 1), '試験 花子', 1, 'bench'
           FROM generate_series(1, $1) AS n CROSS JOIN generate_series(0, 181) AS d""",
    ),
    (
        "lab_results",
        """INSERT INTO lab_results (id, patient_id, kind, specimen, collected_on, laboratory, details, mdr, version,
             updated_by)
           SELECT gen_random_uuid(), md5('p' || n)::uuid, 'culture', '喀痰', date '2025-01-01' + (n * 7 % 365) + d,
             '試験検査所', jsonb_build_object('medium', '液体', 'result', CASE WHEN d = 0 THEN '陽性' ELSE '陰性' END),
             false, 1, 'bench'
           FROM generate_series(1, $1) AS n CROSS JOIN (VALUES (0), (70), (160)) AS v(d)
           WHERE n % 5 <> 0 AND NOT (d = 160 AND n % 10 = 1)""",
    ),
    (
        "transfers",
        """INSERT INTO transfers (id, patient_id, direction, moved_on, counterpart, address, note, version, updated_by)
           SELECT gen_random_uuid(), md5('p' || n)::uuid, 'out', date '2025-01-01' + (n * 7 % 365) + 90,
             '試験市保健所', '', '', 1, 'bench'
           FROM generate_series(1, $1) AS n WHERE n % 50 = 1""",
    ),
    (
        "dots_cohort_reviews",
        """INSERT INTO dots_cohort_reviews (id, patient_id, treatment_id, died_on, death_cause, version, updated_by)
           SELECT gen_random_uuid(), md5('p' || n)::uuid, md5('t' || n)::uuid, date '2025-01-01' + (n * 7 % 365) + 20,
             'other', 1, 'bench'
           FROM generate_series(1, $1) AS n WHERE n % 100 = 3""",
    ),
]


async def load(client: httpx.AsyncClient, patients: int, nurses: int) -> None:
    """Generates the year inside PostgreSQL."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("DROP INDEX ix_dots_confirmations_confirmed_by")
        for table, sql in LOAD:
            started = time.perf_counter()
            args = (patients, nurses) if "$2" in sql else (patients,)
            await conn.execute(sql, *args)
            count = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            print(f"{table:22} {count:>10,} rows in {time.perf_counter() - started:6.1f} s")
        await conn.execute(
            "CREATE INDEX ix_dots_confirmations_confirmed_by ON dots_confirmations (confirmed_by, confirmed_on)"
        )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def measure(client: httpx.AsyncClient, rounds: int, patients: int) -> None:
    """Runs each read shape `rounds` times, then a month's calendar entered for `rounds` patients; p50/p95."""
    headers = auth_headers("nurse1")
    one = "/patients/" + str(await _patient_id(client, 7))
    shapes = {
        "settings (a request's baseline)": ("/dots/settings", {}),
        "day sheet, nurse1": ("/dots/day-sheet", {"day": DAY.isoformat(), "nurse": "nurse1"}),
        "cohort list, quarter 2025Q2": ("/dots/cohort", {"period": "2025Q2", "as_of": AS_OF.isoformat()}),
        "cohort list, year 2025": ("/dots/cohort", {"period": "2025", "as_of": AS_OF.isoformat()}),
        "cohort list, year, page 80": ("/dots/cohort", {"period": "2025", "as_of": AS_OF.isoformat(), "offset": 7900}),
        "one patient's course (F04)": (f"{one}/dots/course", {"as_of": AS_OF.isoformat()}),
        "one patient's confirmations": (f"{one}/dots/confirmations", {}),
    }
    (await client.get("/dots/settings", headers=headers)).raise_for_status()  # keys, pools warm
    print(f"{'query':32} {'p50 ms':>8} {'p95 ms':>8} {'items':>7}")
    for name, (path, params) in shapes.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.get(path, params=params, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        body = answer.json()
        extra = ""
        if "dots_rate" in body:
            extra = f"  DOTS rate {body['dots_rate']['rate']} of {body['dots_rate']['denominator']}, LTBI apart"
            extra += f" {body['ltbi']['paging']['total']}; of {body['paging']['total']}; counts {body['counts']}"
        print(f"{name:32} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {len(body['items']):7}{extra}")
    times = []
    for n in range(rounds):
        patient = await _patient_id(client, patients - n)
        first = date(2026, 7, 1)  # after every course of the loaded year
        items = [{"confirmed_on": (first + timedelta(days=d)).isoformat(), "method": "phone", "status": "taken"}
                 for d in range(31)]  # fmt: skip
        started = time.perf_counter()
        answer = await client.post(f"/patients/{patient}/dots/confirmations/calendar", json={"items": items},
                                   headers=headers)  # fmt: skip
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(answer.text)
    print(
        f"{'calendar, 31 days in one request':32} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {31:7}"
    )


async def _patient_id(client: httpx.AsyncClient, n: int) -> str:
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        return str(await conn.fetchval("SELECT md5('p' || $1::text)::uuid", str(n)))
    finally:
        await conn.close()


async def main() -> None:
    """Loads, measures and reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--nurses", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    async with service_client("patients", create_app) as client:
        client.timeout = httpx.Timeout(300)
        logging.disable(logging.INFO)  # the service's access log would drown the figures
        started = time.perf_counter()
        await load(client, args.patients, args.nurses)
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        await measure(client, args.rounds, args.patients)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
