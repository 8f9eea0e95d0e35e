"""Requests between municipalities and the cluster picture at a large health centre's scale, read through the
contacts API in-process with a real demo-user token.

    uv run python bench/requests_board.py [--requests 20000] [--contacts 300] [--rounds 20]

Rows are generated inside PostgreSQL (INSERT … SELECT over generate_series) into a scratch database migrated by
Alembic: `--requests` requests (outgoing and incoming, one in four still open, each about two contacts) and one
index patient with `--contacts` contacts of whom one in ten fell ill and was registered as a patient with as many
contacts again (two generations). Prints p50/p95 of the board (open requests, first 100), one request's page and
the cluster picture.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time

import asyncpg
import httpx
from contacts.main import create_app
from tbms_testing import auth_headers, service_client

FIRST = "00000000-0000-4000-8000-000000000001"
LOAD = [
    (
        "index_cases",
        """INSERT INTO index_cases (patient_id, version, registration_no, name, name_kana, birth_date, district, status)
           SELECT md5('i' || n)::uuid, 1, '2026-' || lpad(n::text, 5, '0'), '試験 患者' || n, 'シケン',
             date '1960-01-01' + n, '世田谷', 'active' FROM generate_series(0, $1 / 10) n""",
    ),
    (
        "contacts",
        """INSERT INTO contacts (id, found_on, name, name_kana, birth_date, residence, risk_factors, symptomatic,
             priority_override, priority_reason, outcome, status, end_reason, note, priority, has_result, phone_digits,
             version, updated_by, sex, address, phone, affiliation, municipality, municipality_code)
           SELECT md5('c' || n)::uuid, date '2026-10-01', '試験 接触' || n, 'シケン', date '1990-01-01' + (n % 3000),
             'elsewhere', '{}', false, '', '', CASE WHEN n < $1 AND n % 10 = 0 THEN 'disease' ELSE '' END, 'active', '',
             '', 'high', false, '', 1, 'bench', '', '', '', '', '試験市', ''
           FROM generate_series(0, $2 - 1) n""",
    ),
    (
        "contact_links",
        """INSERT INTO contact_links (id, contact_id, index_patient_id, created_order, setting, relation, closed_room,
             poor_ventilation, infectiousness, frequency, note)
           SELECT md5('l' || n)::uuid, md5('c' || n)::uuid,
             CASE WHEN n < $1 THEN md5('i0')::uuid ELSE md5('i' || ((n - $1) / 10 + 1))::uuid END,
             0, 'household', '', false, false, 'high', '', '' FROM generate_series(0, $2 - 1) n""",
    ),
    (
        "municipal_requests",
        """INSERT INTO municipal_requests (id, direction, status, counterpart_code, counterpart_name,
             counterpart_section, reference, requested_on, reply_by, index_patient_id, index_infectiousness,
             index_summary, attachments, note, sent_on, reply_document, reply_note, withdraw_reason, version,
             updated_by)
           SELECT md5('r' || n)::uuid, CASE WHEN n % 3 = 0 THEN 'incoming' ELSE 'outgoing' END,
             CASE WHEN n % 4 = 0 THEN (CASE WHEN n % 3 = 0 THEN 'received' ELSE 'sent' END) ELSE 'answered' END,
             '', '試験市保健所' || (n % 50), '', '', date '2026-01-01' + (n % 330), date '2026-02-01' + (n % 330),
             md5('i0')::uuid, 'high', '', '[]', '', date '2026-01-05' + (n % 330), '', '', '', 1, 'bench'
           FROM generate_series(0, $1 - 1) n""",
    ),
    (
        "municipal_request_contacts",
        """INSERT INTO municipal_request_contacts (id, request_id, contact_id, position, recommended, reply_note)
           SELECT md5('rc' || n || '-' || k)::uuid, md5('r' || n)::uuid, md5('c' || ((n * 2 + k) % $2))::uuid, k,
             'IGRA', '' FROM generate_series(0, $1 - 1) n, generate_series(0, 1) k""",
    ),
]


async def load(client: httpx.AsyncClient, contacts: int, requests: int) -> None:
    """Generates the rows inside PostgreSQL."""
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    total = contacts * 2  # the first's, then ten for each tenth who fell ill
    arguments = {
        "index_cases": (contacts,),
        "contacts": (contacts, total),
        "contact_links": (contacts, total),
        "municipal_requests": (requests,),
        "municipal_request_contacts": (requests, total),
    }
    try:
        for table, sql in LOAD:
            started = time.perf_counter()
            await conn.execute(sql, *arguments[table])
            count = await conn.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            print(f"{table:28} {count:>10,} rows in {time.perf_counter() - started:6.1f} s")
        # those who fell ill are registered patients: same name and birth date as an index case of the load
        await conn.execute(
            """UPDATE index_cases i SET name = c.name, birth_date = c.birth_date FROM contacts c
               WHERE c.outcome = 'disease' AND i.patient_id = md5('i' || (substr(c.name, 6)::int / 10 + 1))::uuid"""
        )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def measure(client: httpx.AsyncClient, rounds: int) -> None:
    """Each read shape `rounds` times; p50/p95 in milliseconds."""
    headers = auth_headers("nurse1")
    index = (await client.get("/requests?limit=1", headers=headers)).json()["items"][0]
    shapes = {
        "board (open, first 100)": "/requests?limit=100",
        "board (all, first 100)": "/requests?limit=100&open_only=false",
        "one request": f"/requests/{index['id']}",
        "cluster picture": f"/index-cases/{index['index_patient_id']}/cluster",
    }
    for name, path in shapes.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.get(path, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
        extra = ""
        if "cluster" in name:
            extra = f"  ({len(answer.json()['nodes'])} people)"
        print(f"{name:26} p50 {percentile(times, 50):7.1f} ms  p95 {percentile(times, 95):7.1f} ms{extra}")


async def main() -> None:
    """Loads and measures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    async with service_client("contacts", create_app) as client:
        await load(client, args.contacts, args.requests)
        await measure(client, args.rounds)


if __name__ == "__main__":
    asyncio.run(main())
