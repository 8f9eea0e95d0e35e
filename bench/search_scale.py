"""Embedded search at scale: 100,000 patients + 1,000,000 contact documents (figures in bench/README.md)."""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from search.engine.base import DateRange, SearchDocument, SearchFilters, SearchQuery
from search.engine.embedded import EmbeddedEngine
from search_embedded import GIVEN, SURNAMES

BATCH = 20_000
DISTRICTS = ["北部", "南部", "東部", "西部", "中央"]
NURSES = ["nurse1", "nurse2", "nurse3", "nurse4"]
ROMAN = ["Setagaya Taishido", "Kitazawa", "Sangenjaya", "Shimouma", "Tanaka Building"]
ALL_AREAS = ["patients", "contacts", "documents", "masters"]
FILTERS = SearchFilters
# (label, text, filters, areas, facets): twenty shapes a health centre's staff would type or click
SHAPES: list[tuple[str, str, SearchFilters, list[str], bool]] = [
    ("kana prefix", "たなか", FILTERS(), ALL_AREAS, False),
    ("half-width kana", "ﾀｶﾊｼ", FILTERS(), ALL_AREAS, False),
    ("2-char kanji", "田中", FILTERS(), ALL_AREAS, False),
    ("異体字", "髙橋", FILTERS(), ALL_AREAS, False),
    ("kana + era year", "たなか s45", FILTERS(), ALL_AREAS, False),
    ("kanji + district + year", "田中 世田谷 1970", FILTERS(), ALL_AREAS, False),
    ("full name with space", "山田 花子", FILTERS(), ALL_AREAS, False),
    ("name substring", "中太", FILTERS(), ALL_AREAS, False),
    ("registration no", "2017-00042", FILTERS(), ALL_AREAS, False),
    ("kohi recipient no", "0012345", FILTERS(), ALL_AREAS, False),
    ("phone with hyphens", "03-5555-0123", FILTERS(), ALL_AREAS, False),
    ("postal code", "154-0042", FILTERS(), ALL_AREAS, False),
    ("latin exact", "sangenjaya", FILTERS(), ALL_AREAS, False),
    ("latin one typo", "sangenjyya", FILTERS(), ALL_AREAS, False),
    ("text + type filter", "さとう", FILTERS(record_types=("patient",)), ALL_AREAS, False),
    ("text + status + district", "すずき", FILTERS(statuses=("active",), districts=("北部",)), ALL_AREAS, False),
    ("filters only + facets", "", FILTERS(record_types=("patient",), districts=("南部",)), ALL_AREAS, True),
    ("text + facets", "やまだ", FILTERS(), ALL_AREAS, True),
    (
        "birth range + sex",
        "いとう",
        FILTERS(sexes=("female",), birth=DateRange(date(1950, 1, 1), date(1960, 12, 31))),
        ALL_AREAS,
        False,
    ),
    ("patients area only", "こばやし", FILTERS(), ["patients"], False),
]


def patients(count: int, rng: random.Random) -> Iterator[SearchDocument]:
    """Synthetic patients with numbers, districts, nurses and dates."""
    for n in range(count):
        (surname, s_kana), (given, g_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        excluded = rng.random() < 0.2
        registered = date(2015, 1, 1) + timedelta(days=rng.randrange(4000))
        yield SearchDocument(
            record_type="patient",
            id=f"p-{n}",
            version=1,
            area="patients",
            name=f"{surname} {given}",
            name_kana=f"{s_kana} {g_kana}",
            birth_date=date(1930, 1, 1) + timedelta(days=rng.randrange(33000)),
            registration_no=f"{2015 + n % 10}-{n % 100000:05d}",
            status="excluded" if excluded else "active",
            active=not excluded,
            phone=f"03-5555-{n % 10000:04d}",
            postal_code=f"154-{n % 10000:04d}",
            address=f"東京都世田谷区太子堂{n % 5 + 1}-{n % 30 + 1}" if n % 4 else rng.choice(ROMAN),
            sex=rng.choice(["male", "female"]),
            district=rng.choice(DISTRICTS),
            nurse=rng.choice(NURSES),
            registered_on=registered,
            diagnosed_on=registered - timedelta(days=rng.randrange(30)),
            numbers=(f"10{n % 1000000:06d}", f"{n % 10000000:07d}"),
        )


def contacts(count: int, rng: random.Random) -> Iterator[SearchDocument]:
    """Synthetic contact documents (接触者) guarded by the contacts area."""
    for n in range(count):
        (surname, s_kana), (given, g_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        closed = rng.random() < 0.5
        yield SearchDocument(
            record_type="contact",
            id=f"c-{n}",
            version=1,
            area="contacts",
            name=f"{surname} {given}",
            name_kana=f"{s_kana} {g_kana}",
            birth_date=date(1930, 1, 1) + timedelta(days=rng.randrange(33000)),
            registration_no="",
            status="closed" if closed else "active",
            active=not closed,
            phone=f"090-{n % 10000:04d}-{n // 10000 % 10000:04d}",
            address=rng.choice(ROMAN) if n % 3 == 0 else f"東京都世田谷区三軒茶屋{n % 3 + 1}",
            sex=rng.choice(["male", "female"]),
            district=rng.choice(DISTRICTS),
            registered_on=date(2020, 1, 1) + timedelta(days=rng.randrange(2000)),
        )


async def build(engine: EmbeddedEngine, documents: Iterator[SearchDocument]) -> int:
    """Stores documents in batches of one transaction each."""
    count, batch = 0, []
    for document in documents:
        batch.append(document)
        if len(batch) == BATCH:
            count += await engine.index_many(batch)
            batch = []
    return count + (await engine.index_many(batch) if batch else 0)


async def measure(engine: EmbeddedEngine, query: SearchQuery, repeat: int, *, suggest: bool = False) -> list[float]:
    """Milliseconds per search (or suggestion) of one query shape, `repeat` times."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await (engine.suggest(query) if suggest else engine.search(query))
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentiles(times: list[float]) -> str:
    """p50 / p95 in milliseconds."""
    cuts = statistics.quantiles(times, n=100)
    return f"p50 {cuts[49]:7.1f} p95 {cuts[94]:7.1f}"


def peak_rss_mib() -> float:
    """The largest resident set this process has had, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def report(engine: EmbeddedEngine, repeat: int) -> None:
    """Latency of every shape: search (first page of 20) and, for shapes with words, the drop-down."""
    print(f"{'shape':26} {'search ms':>22}   {'suggest ms':>22}   hits", flush=True)
    for label, text, filters, areas, facets in SHAPES:
        query = SearchQuery(text, areas, limit=20, filters=filters, facets=facets)
        result = await engine.search(query)
        searched = percentiles(await measure(engine, query, repeat))
        suggested = percentiles(await measure(engine, query, repeat, suggest=True)) if text else "-"
        total = f"{result.total}{'+' if result.total_is_lower_bound else ''}"
        print(f"{label:26} {searched:>22}   {suggested:>22}   {total}", flush=True)


async def main(patient_count: int, contact_count: int, repeat: int, directory: Path | None) -> None:
    """Builds the index (or reuses the one in `directory`), then prints build time and latency per query shape."""
    rng = random.Random(7)  # noqa: S311 - reproducible synthetic data, not secrets
    with tempfile.TemporaryDirectory() as scratch:
        engine = EmbeddedEngine(directory or Path(scratch))
        reuse = engine.path.exists()
        await engine.start()
        if not reuse:
            started = time.perf_counter()
            stored = await build(engine, patients(patient_count, rng))
            print(f"patients: {stored} in {time.perf_counter() - started:.1f} s", flush=True)
            stored += await build(engine, contacts(contact_count, rng))
            print(f"index build ({stored} documents): {time.perf_counter() - started:.1f} s", flush=True)
            await engine.optimise()
            print(f"index build and optimise: {time.perf_counter() - started:.1f} s", flush=True)
        size = sum(part.stat().st_size for part in engine.path.parent.glob(engine.path.name + "*"))
        print(f"index size {size / 2**20:.0f} MiB; peak RSS after build {peak_rss_mib():.0f} MiB", flush=True)
        await report(engine, repeat)
        print(f"peak RSS {peak_rss_mib():.0f} MiB", flush=True)
        await engine.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--index-dir", type=Path, help="keep the index here, and reuse it if it exists")
    args = parser.parse_args()
    asyncio.run(main(args.patients, args.contacts, args.repeat, args.index_dir))
