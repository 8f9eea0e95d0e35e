"""Contact lists at national scale: 100,000 index patients (Japan registers about 10,000 TB patients a year, so ten
years of them), 1,000,000 contacts with their exposures and 1,500,000 screening exams, read through the contacts
API in-process with a real demo-user token.

    uv run python bench/contacts_list.py [--contacts 1000000] [--index-cases 100000] [--rounds 40]

Rows are bulk-loaded with COPY into a scratch database migrated by Alembic (the service's own path would write a
history row, an audit event and a ContactUpdated event per contact and exam). The secondary indexes the migrations
created are dropped for the load and built again from their own definitions afterwards, then VACUUM ANALYZE.
Every contact has 1-3 exposures, each to a different index patient (about 15 % are linked to two or three), and
0-3 exams. One index patient has 500 contacts (a school outbreak); the others have about 12 each. Prints p50/p95
per query shape, EXPLAIN ANALYZE of the list's SQL and the peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import resource
import statistics
import time
import uuid
from collections import Counter
from datetime import date, timedelta

import asyncpg
import httpx
from contacts.main import create_app
from tbms_core.clock import today
from tbms_testing import auth_headers, service_client

SURNAMES = [("試験", "シケン"), ("架空", "カクウ"), ("見本", "ミホン"), ("仮野", "カリノ"), ("例田", "レイダ")]
GIVEN = [("太郎", "タロウ"), ("花子", "ハナコ"), ("一郎", "イチロウ"), ("次郎", "ジロウ"), ("良子", "ヨシコ")]
SETTINGS = ["household", "family", "workplace", "school", "medical", "facility", "other"]
INFECTIOUSNESS = ["high", "low", "none", "unknown"]
EXAMS = [("igra_qft", "negative"), ("igra_tspot", "positive"), ("tst", "negative"), ("xray", "normal")]
OUTBREAK = 500  # contacts of the one large index patient
INDEX_COLUMNS = "patient_id version registration_no name name_kana birth_date district status".split()
CONTACT_COLUMNS = (
    "id found_on name name_kana sex birth_date address phone affiliation residence municipality municipality_code "
    "risk_factors symptomatic priority_override priority_reason outcome outcome_on status ended_on end_reason note "
    "version updated_by next_due_on priority has_result phone_digits"
).split()
LINK_COLUMNS = (
    "id contact_id index_patient_id created_order setting relation first_contact_on last_contact_on hours frequency "
    "closed_room poor_ventilation infectiousness note"
).split()
EXAM_COLUMNS = (
    "id contact_id kind status planned_on done_on institution institution_code result value erythema_mm "
    "induration_mm finding note cancel_reason version updated_by"
).split()
CHUNK = 50_000
TODAY = today()


def person(n: int) -> tuple[str, str]:
    """A synthetic name and its カナ."""
    (surname, surname_kana), (given, given_kana) = SURNAMES[n % 5], GIVEN[n // 5 % 5]
    return f"{surname} {given}{n % 1000}", f"{surname_kana} {given_kana}"


def index_case(n: int, patient_id: uuid.UUID) -> tuple:
    """One index patient as the read model holds it."""
    name, kana = person(n)
    return (patient_id, 1, f"{2016 + n % 10}-{n:05d}", name, kana, date(1940, 1, 1) + timedelta(days=n % 25000),
            f"地区{n % 8 + 1}", "active")  # fmt: skip


def contact_rows(n: int, index_ids: list[uuid.UUID], rng: random.Random) -> tuple[tuple, list[tuple], list[tuple]]:
    """Contact n, its exposures and its exams; the first OUTBREAK contacts are the school outbreak's."""
    contact_id = uuid.uuid4()
    name, kana = person(n)
    found = date(2016, 1, 1) + timedelta(days=rng.randrange(3650))
    ended = found < date(2025, 1, 1)
    contact = (
        contact_id,
        found,
        name,
        kana,
        "female" if n % 2 else "male",
        date(1950, 1, 1) + timedelta(days=n % 25000),
        f"試験県架空市試験町{n % 50 + 1}-{n % 30 + 1}",
        f"03-0000-{n % 10000:04d}",
        "架空学園" if n < OUTBREAK else "",
        "here",
        "",
        "",
        ["infant"] if n % 40 == 0 else [],
        n % 50 == 0,
        "",
        "",
        "no_disease" if ended else "",
        found + timedelta(days=200) if ended else None,
        "ended" if ended else "active",
        found + timedelta(days=210) if ended else None,
        "completed" if ended else "",
        "",
        1,
        "bench",
    )  # fmt: skip; the derived columns are appended below, once the exams are known
    linked = [index_ids[0]] if n < OUTBREAK else [index_ids[rng.randrange(1, len(index_ids))]]
    extra = rng.random()
    for _ in range(2 if extra < 0.03 else 1 if extra < 0.15 else 0):
        other = index_ids[rng.randrange(1, len(index_ids))]
        if other not in linked:
            linked.append(other)
    links = [
        (uuid.uuid4(), contact_id, index_id, order, "school" if n < OUTBREAK else rng.choice(SETTINGS), "同級生",
         found - timedelta(days=60), found - timedelta(days=3), float(rng.randrange(1, 40)), "週5回",
         rng.random() < 0.3, rng.random() < 0.2, rng.choice(INFECTIOUSNESS), "")
        for order, index_id in enumerate(linked)
    ]  # fmt: skip
    exams = []
    for i in range(rng.choice((0, 1, 1, 2, 2, 3))):  # 1.5 on average
        kind, result = EXAMS[(n + i) % len(EXAMS)]
        done = found + timedelta(days=56 + 90 * i)
        finished = done < date(2026, 11, 1)
        exams.append(
            (uuid.uuid4(), contact_id, kind, "done" if finished else "planned", done, done if finished else None,
             "試験保健所", "", result if finished else "", "", None, None, "", "", "", 1, "bench")
        )  # fmt: skip
    contact += derived(n, ended, any(exam[5] for exam in exams), contact[7])
    return contact, links, exams


def derived(n: int, ended: bool, has_result: bool, phone: str) -> tuple:
    """A stand-in for what the service derives on every save (next due day, priority, a result, the phone's
    digits): the same shape of values, without running the rules a million times. The active contacts' next due
    days are spread over 120 days either side of today (half of them overdue, about 1 in 34 due this week)."""
    due = None if ended else TODAY + timedelta(days=(n * 7919) % 240 - 120)
    return due, ("top", "high", "low", "low")[n % 4], has_result, phone.replace("-", "")


async def load(client: httpx.AsyncClient, contacts: int, index_cases: int) -> dict[str, uuid.UUID]:
    """Bulk-loads the data; returns the ids the queries read."""
    rng = random.Random(11)  # noqa: S311 - reproducible synthetic data
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        indexes = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            ["contacts", "contact_links", "screening_exams"],
        )
        for row in indexes:
            await conn.execute(f'DROP INDEX "{row["indexname"]}"')
        index_ids = [uuid.uuid4() for _ in range(index_cases)]
        await conn.copy_records_to_table(
            "index_cases", records=(index_case(n, i) for n, i in enumerate(index_ids)), columns=INDEX_COLUMNS
        )
        per_index: Counter[uuid.UUID] = Counter()
        picked: dict[str, uuid.UUID] = {}
        for start in range(0, contacts, CHUNK):
            rows, links, exams = [], [], []
            for n in range(start, min(start + CHUNK, contacts)):
                contact, linked, examined = contact_rows(n, index_ids, rng)
                rows.append(contact)
                links += linked
                exams += examined
                per_index.update(link[2] for link in linked)
                if len(linked) == 2 and len(examined) == 3 and "contact" not in picked:
                    picked["contact"] = contact[0]
            await conn.copy_records_to_table("contacts", records=rows, columns=CONTACT_COLUMNS)
            await conn.copy_records_to_table("contact_links", records=links, columns=LINK_COLUMNS)
            await conn.copy_records_to_table("screening_exams", records=exams, columns=EXAM_COLUMNS)
        for row in indexes:
            await conn.execute(row["indexdef"])
        await conn.execute("VACUUM ANALYZE index_cases, contacts, contact_links, screening_exams")
        counts = {table: await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
                  for table in ("index_cases", "contacts", "contact_links", "screening_exams")}  # fmt: skip
        print(", ".join(f"{table} {count:,}" for table, count in counts.items()))
    finally:
        await conn.close()
    typical = min(index_ids[1:], key=lambda i: abs(per_index[i] - 20))  # a busy but ordinary index patient
    sizes = sorted(per_index[i] for i in index_ids)
    print(f"contacts per index patient: median {sizes[len(sizes) // 2]}, p95 {sizes[len(sizes) * 95 // 100]}, "
          f"typical one measured {per_index[typical]}, outbreak {per_index[index_ids[0]]}")  # fmt: skip
    return {"typical": typical, "outbreak": index_ids[0], **picked}


async def measure(client: httpx.AsyncClient, rounds: int, ids: dict[str, uuid.UUID]) -> None:
    """Runs each query shape `rounds` times and prints p50/p95 with the number answered."""
    headers = auth_headers("nurse1")
    contact = ids["contact"]
    shapes = {
        "index patient, 20 contacts": ("/contacts", {"index_patient_id": ids["typical"]}),
        "outbreak 500, first 50": ("/contacts", {"index_patient_id": ids["outbreak"]}),
        "outbreak 500, last 50": ("/contacts", {"index_patient_id": ids["outbreak"], "offset": 450}),
        "outbreak 500, all at once": ("/contacts", {"index_patient_id": ids["outbreak"], "limit": 500}),
        "all contacts, first 50": ("/contacts", {}),
        "all contacts, offset 10,000": ("/contacts", {"offset": 10_000}),
        "one contact (plan, exams)": (f"/contacts/{contact}", {}),
        "its exams": (f"/contacts/{contact}/exams", {}),
        "its history": (f"/contacts/{contact}/history", {}),
        "index patient summary": (f"/index-cases/{ids['typical']}", {}),
        "screening list (active, by due)": ("/contacts", {"status": "active", "sort": "due"}),
        "overdue, by due": ("/contacts", {"due": "overdue", "status": "active", "sort": "due"}),
        "overdue, offset 10,000": ("/contacts", {"due": "overdue", "sort": "due", "offset": 10_000}),
        "due this week": ("/contacts", {"due": "week", "sort": "due"}),
        "no result yet": ("/contacts", {"due": "no_result", "sort": "due"}),
        "overdue in one district": ("/contacts", {"due": "overdue", "district": "地区3", "sort": "due"}),
        "school, 最優先, by name": ("/contacts", {"setting": "school", "priority": "top", "sort": "name"}),
        "counts of an index patient": ("/contacts/counts", {"index_patient_id": ids["typical"]}),
        "counts of the outbreak": ("/contacts/counts", {"index_patient_id": ids["outbreak"]}),
        "CSV: due this week, 1 district": ("/contacts/export", {"due": "week", "district": "地区3"}),
    }
    (await client.get(f"/index-cases/{ids['typical']}", headers=headers)).raise_for_status()  # keys, pools warm
    print(f"{'query':30} {'p50 ms':>8} {'p95 ms':>8} {'items':>6} {'total':>9}")
    for name, (path, params) in shapes.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.get(path, params=params, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        if answer.headers["content-type"].startswith("text/csv"):
            rows = answer.text.count("\r\n") - 1
            print(f"{name:30} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {rows:6} {'(CSV)':>9}")
            continue
        body = answer.json()
        items = body.get("items", body) if isinstance(body, dict) else body
        count = len(items) if isinstance(items, list) else 1
        total = body.get("total", "") if isinstance(body, dict) else ""
        print(f"{name:30} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {count:6} {total:>9}")


async def explain(client: httpx.AsyncClient, ids: dict[str, uuid.UUID]) -> None:
    """The database's share of the slow shapes: EXPLAIN ANALYZE of the SQL the list runs (as the repository does)."""
    statements = {
        "all contacts, first 50": ("SELECT * FROM contacts ORDER BY found_on, name_kana, id LIMIT 50", ()),
        "all contacts, offset 10,000": (
            "SELECT * FROM contacts ORDER BY found_on, name_kana, id LIMIT 50 OFFSET 10000",
            (),
        ),
        "all contacts, count": ("SELECT count(*) FROM (SELECT * FROM contacts) AS s", ()),
        "outbreak, 500 rows": (
            "SELECT * FROM contacts WHERE id IN (SELECT contact_id FROM contact_links WHERE index_patient_id = $1) "
            "ORDER BY found_on, name_kana, id LIMIT 500",
            (ids["outbreak"],),
        ),
        "overdue by due, first 50": (
            "SELECT id FROM contacts WHERE next_due_on < CURRENT_DATE AND status = 'active' "
            "ORDER BY next_due_on NULLS LAST, name_kana, id LIMIT 50",
            (),
        ),
        "overdue, count": (
            "SELECT count(*) FROM contacts WHERE next_due_on < CURRENT_DATE AND status = 'active'",
            (),
        ),
        "overdue in a district, 50": (
            "SELECT id FROM contacts WHERE next_due_on < CURRENT_DATE AND EXISTS (SELECT 1 FROM contact_links l "
            "WHERE l.contact_id = contacts.id AND l.index_patient_id IN (SELECT patient_id FROM index_cases "
            "WHERE district = '地区3')) ORDER BY next_due_on NULLS LAST, name_kana, id LIMIT 50",
            (),
        ),
        "counts of the outbreak": (
            "SELECT count(*), count(*) FILTER (WHERE status = 'active'), count(*) FILTER (WHERE status = 'active' "
            "AND next_due_on < CURRENT_DATE) FROM contacts WHERE id IN (SELECT contact_id FROM contact_links "
            "WHERE index_patient_id = $1)",
            (ids["outbreak"],),
        ),
        "outbreak, their exposures": (
            "SELECT * FROM contact_links WHERE contact_id IN (SELECT contact_id FROM contact_links "
            "WHERE index_patient_id = $1)",
            (ids["outbreak"],),
        ),
        "outbreak, their exams": (
            "SELECT * FROM screening_exams WHERE contact_id IN (SELECT contact_id FROM contact_links "
            "WHERE index_patient_id = $1) ORDER BY done_on, planned_on, id",
            (ids["outbreak"],),
        ),
    }
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        for name, (sql, args) in statements.items():
            plan = [row[0] for row in await conn.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", *args)]
            print(f"SQL {name:27} {plan[-1].removeprefix('Execution Time: '):>12}   {plan[0].strip()}")
    finally:
        await conn.close()


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def main() -> None:
    """Loads, measures and reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--index-cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    async with service_client("contacts", create_app) as client:
        client.timeout = httpx.Timeout(120)
        logging.disable(logging.INFO)  # the service's access log would drown the figures
        started = time.perf_counter()
        ids = await load(client, args.contacts, args.index_cases)
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        await measure(client, args.rounds, ids)
        await explain(client, ids)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
