"""The patient page and a save with 100,000 patients and 50 concurrent users; `uv run python bench/patient_page.py`.

What it does, all against real components:
1. creates the database `tbms_patients_bench`, migrates it with Alembic and bulk-loads synthetic patients, each with
   lab results, a treatment course, progress notes and an edit-history row (COPY, so loading takes about a minute);
2. starts the patients service with uvicorn on its own port, with its own nats-server (so the saves' events do not
   reach the dev stack), verifying real Keycloak tokens;
3. runs `--users` concurrent users for `--seconds`: each opens a random patient page, i.e. the calls the gateway
   makes for it at once (`GET /patients/{id}/record`, which carries the patient, 修正履歴, 菌検査, every care
   record and the alerts, and the configurable fields in use today), and every fifth action instead saves a
   correction (PATCH with the version just read);
4. prints p50/p95/p99 of the page and of the save, and the throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from search_embedded import GIVEN, SURNAMES
from tbms_core.clock import today
from tbms_core.jp.text import search_key
from tbms_testing import auth_headers
from tbms_testing.services import migrate, recreate_database, test_env

DATABASE = "tbms_patients_bench"
DSN = f"postgresql://tbms@127.0.0.1:55432/{DATABASE}"
PORT, NATS_PORT = 18101, 14222
PAGE_CALLS = ("/patients/{pid}/record", "/custom-fields?active_on={today}")  # what the gateway asks for a page
DISTRICTS = ["北部", "南部", "東部", "西部", "中央"]
NOW = datetime.now(UTC)
NURSE = "試験 保健師"


def _patient(n: int, rng: random.Random) -> tuple:
    (surname, s_kana), (given, g_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
    name = f"{surname} {given}"
    registered = date(2016, 1, 1) + timedelta(days=rng.randrange(3900))
    disease = {
        "form": rng.choice(["pulmonary", "pulmonary", "extrapulmonary", "both"]),
        "gakkai_side": rng.choice(["r", "l", "b"]),
        "gakkai_type": rng.choice(["II", "III", "IV"]),
        "gakkai_extent": rng.randint(1, 3),
        "symptoms": ["cough"],
        "diagnosed_on": str(registered - timedelta(days=3)),
    }
    clinical = {"prior_treatment": "initial", "risk_factors": rng.choice([[], ["diabetes"]])}
    first = {"category": "patient", "disease": disease, "clinical": clinical, "bacteriology": {}}
    return (
        uuid.uuid4(),
        f"{registered.year}-{n:06d}",
        registered,
        "patient",
        name,
        f"{s_kana} {g_kana}",
        rng.choice(["male", "female"]),
        date(1930, 1, 1) + timedelta(days=rng.randrange(33000)),
        f"154-{n % 10000:04d}",
        f"東京都試験区試験町{n % 5 + 1}-{n % 30 + 1}",
        f"03-5555-{n % 10000:04d}",
        "active",
        rng.choice(DISTRICTS),
        f"nurse{n % 4 + 1}",
        search_key(name),
        json.dumps({"notified_on": str(registered), "type": "confirmed", "institution_name": "試験病院"}),
        json.dumps(disease),
        json.dumps(clinical),
        json.dumps(first),
        2,  # one correction so far, kept in record_versions as version 2
        "bench",
    )


PATIENT_COLUMNS = (
    "id registration_no registered_on category name name_kana sex birth_date postal_code address phone status "
    "district nurse name_key notification disease clinical at_registration version updated_by"
).split()


TABLES = {
    "lab_results": "id patient_id kind specimen collected_on result_on laboratory details mdr version updated_by",
    "treatments": "id patient_id regimen regimen_note started_on planned_end_on ended_on outcome institution note "
    "version updated_by",
    "progress_notes": "id patient_id noted_on kind text author author_name version updated_by",
    "record_versions": "id record_type record_id person_id version changed_at changed_by changed_by_name reason "
    "changes",
}


def _records_of(pid: uuid.UUID, registered: date, phone: str, rng: random.Random) -> dict[str, list[tuple]]:
    """A patient's lab results, treatment course, notes and one edit-history row."""
    labs = [
        (new(), pid, "smear", "喀痰", registered + timedelta(days=14 * k), None, "", grade(rng), False, 1, "bench")
        for k in range(3)
    ]
    end = registered + timedelta(days=180)
    treatment = (new(), pid, "2HREZ/4HR", "", registered, end, None, "", "", "", 1, "bench")
    text = "訪問し服薬を確認した。"
    notes = [
        (new(), pid, registered + timedelta(days=7 * k), "visit", text, "bench", NURSE, 1, "bench") for k in (0, 1)
    ]
    change = json.dumps({"phone": ["", phone]})
    version = (new(), "patient", pid, pid, 2, NOW, "bench", NURSE, "", change)
    return {"lab_results": labs, "treatments": [treatment], "progress_notes": notes, "record_versions": [version]}


def new() -> uuid.UUID:
    """A new record id."""
    return uuid.uuid4()


def grade(rng: random.Random) -> str:
    """A smear result as stored JSON."""
    return json.dumps({"grade": rng.choice(["−", "1+", "2+"])})


async def load(count: int) -> list[uuid.UUID]:
    """Creates and fills the bench database; returns the patient ids."""
    rng = random.Random(11)  # noqa: S311 - reproducible synthetic data
    await recreate_database(DATABASE)
    env = test_env("patients", DATABASE)
    await asyncio.to_thread(migrate, "patients", env)
    conn = await asyncpg.connect(DSN)
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: b"\x01" + v.encode(),
        decoder=lambda b: json.loads(b[1:]),
        schema="pg_catalog",
        format="binary",
    )
    started = time.perf_counter()
    rows = [_patient(n, rng) for n in range(count)]
    await conn.copy_records_to_table("patients", records=rows, columns=PATIENT_COLUMNS)
    related: dict[str, list[tuple]] = {table: [] for table in TABLES}
    for row in rows:
        for table, records in _records_of(row[0], row[2], row[10], rng).items():
            related[table].extend(records)
    for table, columns in TABLES.items():
        await conn.copy_records_to_table(table, records=related[table], columns=columns.split())
    await conn.execute("ANALYZE")
    await conn.close()
    counts = ", ".join(f"{len(records):,} {table}" for table, records in related.items())
    print(f"loaded {count:,} patients, {counts} in {time.perf_counter() - started:.0f} s")
    return [row[0] for row in rows]


def start_nats(workdir: Path) -> subprocess.Popen:
    """A private JetStream server for the bench."""
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [binary, "-js", "-a", "127.0.0.1", "-p", str(NATS_PORT), "-sd", str(workdir / "nats"), "-m", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_service(workers: int) -> subprocess.Popen:
    """The patients service on the bench database, as production would run it (uvicorn, no reload)."""
    env = {**os.environ, **test_env("patients", DATABASE)}
    env["TBMS_PATIENTS_NATS_URL"] = f"nats://127.0.0.1:{NATS_PORT}"
    env.pop("TBMS_PATIENTS_DURABLE_SUFFIX", None)
    command = [sys.executable, "-m", "uvicorn", "patients.main:create_app", "--factory", "--port", str(PORT)]
    command += ["--workers", str(workers), "--log-level", "warning", "--no-access-log", "--timeout-keep-alive", "120"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr)  # noqa: S603


async def wait_ready(client: httpx.AsyncClient) -> None:
    """Waits until the service answers its readiness check."""
    for _ in range(120):
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    raise RuntimeError("patients service did not become ready")


async def call(client: httpx.AsyncClient, out: dict, method: str, url: str, **kwargs: object) -> httpx.Response:
    """One request; a dropped keep-alive connection is retried once and counted."""
    try:
        return await client.request(method, url, **kwargs)  # type: ignore[arg-type]
    except httpx.TransportError:
        out["dropped"] = out.get("dropped", 0) + 1
        return await client.request(method, url, **kwargs)  # type: ignore[arg-type]


async def user(
    client: httpx.AsyncClient, ids: list[uuid.UUID], until: float, seed: int, out: dict, think: float = 0.0
) -> None:
    """One member of staff: opens patient pages and every fifth time saves a correction, pausing `think` s on average
    (uniformly 0.5–1.5 times it) between actions; 0 means no pause, i.e. the service's saturation throughput."""
    rng = random.Random(seed)  # noqa: S311
    headers = auth_headers("nurse1")
    n = 0
    while time.perf_counter() < until:
        if think:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        pid = str(rng.choice(ids))
        started = time.perf_counter()
        on = today().isoformat()
        pages = (call(client, out, "GET", url.format(pid=pid, today=on), headers=headers) for url in PAGE_CALLS)
        answers = await asyncio.gather(*pages)
        out["page"].append((time.perf_counter() - started) * 1000)
        for answer in answers:
            if answer.status_code != 200:
                out["errors"] += 1
                out.setdefault("error_samples", []).append(f"{answer.status_code} {answer.text[:120]}")
        n += 1
        if n % 5 == 0:
            patient = answers[0].json()["patient"]
            body = {"version": patient["version"], "changes": {"phone": f"03-7777-{rng.randrange(10000):04d}"}}
            started = time.perf_counter()
            saved = await call(client, out, "PATCH", f"/patients/{pid}", json=body, headers=headers)
            out["save"].append((time.perf_counter() - started) * 1000)
            out["conflicts"] += saved.status_code == 409
            out["errors"] += saved.status_code not in (200, 409)


def cuts(values: list[float]) -> str:
    """p50 / p95 / p99 in milliseconds."""
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  (n={len(values):,})"


async def main(count: int, users: int, seconds: float, workers: int, reuse: bool, think: float) -> None:
    """Loads (unless reused), starts the service, runs the users, prints the figures."""
    if reuse:
        conn = await asyncpg.connect(DSN)
        ids = [row["id"] for row in await conn.fetch("SELECT id FROM patients")]
        await conn.close()
    else:
        ids = await load(count)
    workdir = Path(tempfile.mkdtemp(prefix="tbms-bench-"))
    nats_server, service = start_nats(workdir), start_service(workers)
    limits = httpx.Limits(max_connections=users * len(PAGE_CALLS), max_keepalive_connections=users * len(PAGE_CALLS))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", limits=limits, timeout=60) as client:
            await wait_ready(client)
            auth_headers("nurse1")
            warm: dict = {"page": [], "save": [], "errors": 0, "conflicts": 0}
            await asyncio.gather(*(user(client, ids, time.perf_counter() + 5, -i, warm) for i in range(users)))
            out: dict = {"page": [], "save": [], "errors": 0, "conflicts": 0}
            until = time.perf_counter() + seconds
            await asyncio.gather(*(user(client, ids, until, i, out, think) for i in range(users)))
    finally:
        service.terminate()
        nats_server.terminate()
        service.wait(20)
        nats_server.wait(20)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{len(ids):,} patients, {users} users, think {think:g} s, {seconds:.0f} s, {workers} uvicorn worker(s)")
    print(f"patient page ({len(PAGE_CALLS)} calls at once): {cuts(out['page'])}")
    print(f"save (PATCH /patients/{{id}}):           {cuts(out['save'])}")
    print(f"pages per second: {len(out['page']) / seconds:.1f}; errors {out['errors']}; 409s {out['conflicts']}")
    print(f"connections dropped and retried: {out.get('dropped', 0)}")
    for sample in sorted(set(out.get("error_samples", [])))[:5]:
        print(f"  error: {sample}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers (the machine has 2 cores)")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database from the last run")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between a user's actions, seconds")
    args = parser.parse_args()
    asyncio.run(main(args.patients, args.users, args.seconds, args.workers, args.reuse, args.think))
