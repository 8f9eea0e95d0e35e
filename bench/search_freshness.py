"""Freshness: from publishing a patient event to finding the patient (`uv run python bench/search_freshness.py`).

The search service runs in-process with its real JetStream consumer, ledger (PostgreSQL) and embedded index,
as its tests run it (`tbms_testing.service_client`, a throw-away database and consumer). Events are
published the way the outbox relay publishes them, at a steady rate, each with a new patient; a watcher per
event searches for its 登録番号 every few milliseconds. The relay itself adds its wake-up (LISTEN/NOTIFY,
a few ms) before the publish measured here. `--index-dir` runs against an existing index (e.g. the one
bench/search_scale.py left with `--index-dir`), so writes go into a large file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import nats
from fastapi import FastAPI
from search.engine.base import SearchQuery
from search.main import create_app
from search.settings import get_settings
from tbms_testing import service_client
from tbms_testing.events import NATS_URL, patient_event

POLL = 0.005  # seconds between two searches of a watcher
TIMEOUT = 10.0


def bench_app(index_dir: Path) -> FastAPI:
    """The search service on the given index directory, never a Meilisearch one."""
    os.environ["TBMS_SEARCH_INDEX_DIR"] = str(index_dir)
    for name in ("TBMS_SEARCH_MEILI_URL", "MEILI_URL"):
        os.environ.pop(name, None)
    get_settings.cache_clear()
    return create_app()


async def until_found(app: FastAPI, number: str, started: float) -> float:
    """Seconds from `started` until a search for the 登録番号 finds the patient."""
    query = SearchQuery(number, ["patients"])
    while time.perf_counter() - started < TIMEOUT:
        if (await app.state.engine.search(query)).hits:
            return time.perf_counter() - started
        await asyncio.sleep(POLL)
    raise TimeoutError(f"{number} not searchable after {TIMEOUT} s")


async def run(app: FastAPI, count: int, rate: float) -> list[float]:
    """Publishes `count` registrations at `rate` per second; the time each took to become searchable."""
    nc = await nats.connect(NATS_URL)
    js, watchers = nc.jetstream(), []
    try:
        for _ in range(count):
            patient_id = uuid.uuid4()
            number = f"6{patient_id.int % 10**8:08d}"
            envelope = patient_event(patient_id, 1, "鮮度 試験", number)
            data = json.dumps(envelope.model_dump(mode="json"), ensure_ascii=False).encode()
            started = time.perf_counter()
            await js.publish(envelope.type, data, headers={"Nats-Msg-Id": str(envelope.event_id)})
            watchers.append(asyncio.create_task(until_found(app, number, started)))
            await asyncio.sleep(1 / rate)
        return list(await asyncio.gather(*watchers))
    finally:
        await nc.close()


async def main(count: int, rate: float, index_dir: Path | None) -> None:
    """Warms the consumer up with one event, then measures `count` events."""
    logging.disable(logging.INFO)  # one line per message from the broker would bury the figures
    with tempfile.TemporaryDirectory() as scratch:
        directory = index_dir or Path(scratch)
        async with service_client("search", lambda: bench_app(directory)) as client:
            app = client.app  # type: ignore[attr-defined]
            await run(app, 1, rate)  # the consumer's first pull, the index's first write
            seconds = await run(app, count, rate)
    cuts = statistics.quantiles([second * 1000 for second in seconds], n=100)
    print(
        f"{count} events at {rate:g}/s into {'the index in ' + str(index_dir) if index_dir else 'an empty index'}: "
        f"p50 {cuts[49]:.0f} ms, p95 {cuts[94]:.0f} ms, max {max(seconds) * 1000:.0f} ms",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="events per second")
    parser.add_argument("--index-dir", type=Path, help="an existing index directory to write into")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rate, args.index_dir))
