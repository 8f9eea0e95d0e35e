"""The patients' deadlines at a health center's size: the daily sweep over every active patient after the day turns,
and what republishing costs a save, through the patients service in-process with a real demo-user token.

    uv run python bench/deadline_sweep.py [--patients 5000] [--rounds 30]

Rows are generated inside PostgreSQL into a scratch database migrated by Alembic: `--patients` active patients of
世田谷 with a running pulmonary treatment (started 0-200 days ago; planned to end 180 days after the start) and a
sputum culture every 60 days, so some have no deadline, some a sputum test overdue, some a course past its planned
end. Then: the first sweep (no patient computed yet: every one computed and published), the sweep again the same
day (nothing to do), and the sweep after the Japan day turns (every patient recomputed, only the changed ones
published), each timed; then p50/p95 of `POST /patients/{id}/lab-results` (the save, its history, audit and event,
and the hook that recomputes and, when they changed, republishes the patient's deadlines).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import statistics
import time
from datetime import timedelta

import asyncpg
import httpx
from patients.main import create_app
from tbms_core import clock
from tbms_testing import auth_headers, service_client

LOAD = [
    """INSERT INTO patients (id, registration_no, registered_on, category, name, name_kana, sex, birth_date,
         postal_code, address, phone, status, district, nurse, disease, notification, version, updated_by)
       SELECT md5('p' || n)::uuid, '2026-' || lpad(n::text, 5, '0'), $2::date - (n % 200) - 5, 'patient',
         '試験 太郎' || n, 'シケン タロウ', 'male', date '1950-01-01' + (n % 20000), '1540017', '東京都世田谷区試験町',
         '', 'active', '世田谷', 'nurse' || (n % 10 + 1), '{"form": "pulmonary"}'::jsonb,
         jsonb_build_object('notified_on', $2::date - (n % 200) - 5), 1, 'bench'
       FROM generate_series(1, $1) AS n""",
    """INSERT INTO treatments (id, patient_id, regimen, regimen_note, started_on, planned_end_on, ended_on,
         outcome, institution, note, version, updated_by)
       SELECT md5('t' || n)::uuid, md5('p' || n)::uuid, '2HREZ/4HR', '', $2::date - (n % 200),
         $2::date - (n % 200) + 180, NULL, '', '試験病院', '', 1, 'bench'
       FROM generate_series(1, $1) AS n""",
    """INSERT INTO lab_results (id, patient_id, kind, specimen, collected_on, laboratory, details, mdr, version,
         updated_by)
       SELECT gen_random_uuid(), md5('p' || n)::uuid, 'culture', '喀痰', $2::date - (n % 200) + d, '試験検査所',
         '{"result": "陰性"}'::jsonb, false, 1, 'bench'
       FROM generate_series(1, $1) AS n CROSS JOIN generate_series(0, 180, 60) AS d
       WHERE d <= n % 200""",
]


async def load(client: httpx.AsyncClient, patients: int) -> None:
    """Generates the rows, then VACUUM ANALYZE."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        for statement in LOAD:
            await conn.execute(statement, patients, clock.today())
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def sweep(client: httpx.AsyncClient, headers: dict[str, str], label: str) -> None:
    """One sweep through the API, timed."""
    started = time.perf_counter()
    answer = await client.post("/deadlines/sweep", headers=headers)
    seconds = time.perf_counter() - started
    answer.raise_for_status()
    done = answer.json()
    rate = done["checked"] / seconds if seconds else 0
    print(f"{label:34} {seconds:7.1f} s  {done['checked']:6} recomputed ({rate:,.0f}/s), {done['republished']:6} sent")


async def saves(client: httpx.AsyncClient, headers: dict[str, str], rounds: int) -> None:
    """A sputum result saved for `rounds` patients: p50/p95 of the request, the deadline hook included."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        ids = [str(await conn.fetchval("SELECT md5('p' || $1::text)::uuid", str(n + 1))) for n in range(rounds)]
    finally:
        await conn.close()
    times = []
    for patient_id in ids:
        body = {
            "kind": "smear",
            "specimen": "喀痰",
            "collected_on": clock.today().isoformat(),
            "details": {"grade": "-"},
        }
        started = time.perf_counter()
        answer = await client.post(f"/patients/{patient_id}/lab-results", json=body, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{'lab result saved (with the hook)':34} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms")


async def main() -> None:
    """Loads, measures and reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    async with service_client("patients", create_app) as client:
        client.timeout = httpx.Timeout(3600)
        logging.disable(logging.INFO)  # the service's access log would drown the figures
        headers = auth_headers("nurse1")
        started = time.perf_counter()
        await load(client, args.patients)
        print(f"loaded {args.patients:,} patients in {time.perf_counter() - started:.1f} s")
        await sweep(client, headers, "first sweep (none computed yet)")
        await sweep(client, headers, "same day again")
        day = clock.today()
        clock.set_clock(clock.jst(day.year, day.month, day.day) + timedelta(days=1, minutes=1))
        await sweep(client, headers, "after the day turns")
        await saves(client, headers, args.rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
