"""The event path's throughput with one and with two processes per service (`uv run python bench/event_path.py`).

For each process count N: N uvicorn processes of patients (each with its outbox relay) and N of contacts on two
throw-away databases, the processes of a service sharing their database and their durable consumers, as
`docker compose` runs replicas. Registrations are posted through the patients API (round robin over its processes,
a few at a time); the clock starts when the API answers (the commit) and stops when contacts' read model
(`index_cases`) holds the patient, polled every 20 ms: commit → relay → JetStream → consumer → committed read model.
The same clock stops a second time when search's ledger of indexed versions holds the patient, which it records in
the transaction that writes the index: the patient is searchable. Search runs one process in both runs (the local
stack's embedded engine keeps its index in one process's file; on Meilisearch compose runs two).

The services talk to the NATS the stack runs: a single node, or after `uv run tbms stack up --nats-cluster 3` a
JetStream cluster of three nodes with every stream on three replicas (as compose and deploy/kubernetes run it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
import httpx
from tbms_testing import auth_headers
from tbms_testing import services as scratch

POLL = 0.02
PATIENT = {
    "name_kana": "ｼｹﾝ ﾍﾞﾝﾁ",
    "sex": "male",
    "birth_date": "S45.3.1",
    "postal_code": "1540017",
    "address": "東京都世田谷区試験町1-2-3",
    "district": "世田谷",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def processes(
    service: str, database: str, count: int, suffix: str, extra: dict[str, str] | None = None
) -> AsyncIterator[list[str]]:
    """`count` processes of `service` on one fresh migrated database; their base URLs once ready."""
    env = await asyncio.to_thread(scratch.test_env, service, database)
    key = service.upper()
    env |= {f"TBMS_{key}_DURABLE_SUFFIX": suffix} | (extra or {})
    if service != "search":
        env[f"TBMS_{key}_DEADLINE_SWEEP_SECONDS"] = "0"
    await scratch.recreate_database(database)
    await asyncio.to_thread(scratch.migrate, service, env)
    started, urls = [], []
    try:
        for _ in range(count):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", "--factory", f"{service}.main:create_app", "--port", str(port)]
            started.append(
                await asyncio.create_subprocess_exec(
                    *command, "--host", "127.0.0.1", "--log-level", "warning", env={**os.environ, **env}
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient(timeout=5) as http:
            for url in urls:
                for _ in range(600):
                    try:
                        if (await http.get(f"{url}/health/ready")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.2)
                else:
                    raise RuntimeError(f"{service} at {url} never became ready")
        yield urls
    finally:
        for process in started:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=30)
        await scratch.drop_database(database)


async def run(count: int, events: int, concurrency: int) -> dict[str, float]:
    """One measurement with `count` processes per service."""
    tag = f"{os.getpid()}n{count}"
    contacts_db, search_db = f"tbms_contacts_bench_path_{tag}", f"tbms_search_bench_path_{tag}"
    index_dir = tempfile.mkdtemp(prefix="tbms-bench-index-")  # never the stack's own index
    async with AsyncExitStack() as stack:
        patients = await stack.enter_async_context(
            processes("patients", f"tbms_patients_bench_path_{tag}", count, f"-bench{tag}")
        )
        await stack.enter_async_context(processes("contacts", contacts_db, count, f"-bench{tag}"))
        search_env = {"TBMS_SEARCH_INDEX_DIR": index_dir}
        await stack.enter_async_context(processes("search", search_db, 1, f"-bench{tag}", search_env))
        committed: dict[uuid.UUID, float] = {}
        seen: dict[uuid.UUID, float] = {}
        searchable: dict[uuid.UUID, float] = {}
        headers = auth_headers("nurse1")
        gate = asyncio.Semaphore(concurrency)

        async def register(i: int, http: httpx.AsyncClient) -> None:
            async with gate:
                body = PATIENT | {"name": f"試験 経路{i:04d}"}
                answer = await http.post(f"{patients[i % count]}/patients", json=body, headers=headers)
                answer.raise_for_status()
                committed[uuid.UUID(answer.json()["id"])] = time.perf_counter()

        async def watch(done: asyncio.Event, database: str, query: str, arrived: dict[uuid.UUID, float]) -> None:
            connection = await asyncpg.connect(f"postgresql://tbms@127.0.0.1:55432/{database}")
            try:
                while not done.is_set() or len(arrived) < len(committed):
                    rows = await connection.fetch(query)
                    now = time.perf_counter()
                    for row in rows:
                        arrived.setdefault(uuid.UUID(str(row[0])), now)
                    await asyncio.sleep(POLL)
            finally:
                await connection.close()

        finished = asyncio.Event()
        watchers = [
            asyncio.create_task(watch(finished, contacts_db, "SELECT patient_id FROM index_cases", seen)),
            asyncio.create_task(
                watch(
                    finished,
                    search_db,
                    "SELECT record_id FROM indexed_versions WHERE record_type = 'patient'",
                    searchable,
                )
            ),
        ]
        async with httpx.AsyncClient(timeout=60) as http:
            began = time.perf_counter()
            await asyncio.gather(*(register(i, http) for i in range(events)))
            posted = time.perf_counter()
        finished.set()
        await asyncio.wait_for(asyncio.gather(*watchers), timeout=120)
    latencies = sorted(seen[p] - committed[p] for p in committed)
    found = sorted(searchable[p] - committed[p] for p in committed)
    return {
        "processes": count,
        "events": events,
        "commits_per_s": events / (posted - began),
        "events_per_s": events / (max(seen[p] for p in committed) - began),
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "max_ms": 1000 * latencies[-1],
        "searchable_per_s": events / (max(searchable[p] for p in committed) - began),
        "search_p50_ms": 1000 * statistics.median(found),
        "search_p95_ms": 1000 * found[int(0.95 * (len(found) - 1))],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=150, help="registrations per run")
    parser.add_argument("--concurrency", type=int, default=8, help="registrations in flight at once")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2], help="processes per service, per run")
    args = parser.parse_args()
    nodes = scratch.test_env("patients", "-")["TBMS_PATIENTS_NATS_URL"].count(",") + 1
    print(f"on the stack's NATS: {nodes} node(s)")
    print(
        "| processes per service | events | commits/s | commit → applied events/s | p50 | p95 | max "
        "| commit → searchable events/s | p50 | p95 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count in args.processes:
        r = await run(count, args.events, args.concurrency)
        print(
            f"| {count} | {args.events} | {r['commits_per_s']:.1f} | {r['events_per_s']:.1f} | "
            f"{r['p50_ms']:.0f} ms | {r['p95_ms']:.0f} ms | {r['max_ms']:.0f} ms | {r['searchable_per_s']:.1f} | "
            f"{r['search_p50_ms']:.0f} ms | {r['search_p95_ms']:.0f} ms |",
            flush=True,
        )


if __name__ == "__main__":
    asyncio.run(main())
