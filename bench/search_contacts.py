"""Contacts in the embedded search at national scale: 100,000 patients (a fifth under DOTS) and 1,000,000 contacts
built as the consumers build them (index patient's number and name, district, school or workplace); latency of
the queries staff type for contacts and the DOTS conditions of 詳細検索 (figures in bench/README.md).

    cd bench && nohup nice uv run python search_contacts.py --index-dir /tmp/search-contacts > contacts.log &
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from search.engine.base import DateRange, SearchDocument, SearchFilters, SearchQuery
from search.engine.embedded import EmbeddedEngine
from search.indexing.documents import plan_in_force, with_dots, with_index
from search.indexing.repository import IndexPatient, PlanFacts
from search_embedded import GIVEN, SURNAMES
from search_scale import build, measure, peak_rss_mib, percentiles

TODAY = date(2026, 12, 3)
DISTRICTS = ["世田谷", "北沢", "玉川", "砧", "烏山"]
SCHOOLS = ["太子堂小学校", "三軒茶屋中学校", "世田谷第一保育園", "株式会社架空商事", "架空運輸", "試験病院"]
DOTS = [("visit", "訪問DOTS"), ("outpatient", "外来DOTS"), ("contact", "連絡確認DOTS"), ("hospital", "院内DOTS")]
ALL, CONTACTS_ONLY, PATIENTS_ONLY = ["patients", "contacts"], ["contacts"], ["patients"]
F = SearchFilters
OVERDUE = DateRange(None, TODAY - timedelta(days=1))


def shapes(rng: random.Random, patients: int) -> list[tuple[str, str, SearchFilters, list[str], bool]]:
    """Queries for contacts and DOTS: (label, text, filters, readable areas, facets)."""
    number = f"{2015 + 4242 % 10}-{4242:05d}"  # patient 4242's 登録番号: it and its contacts
    return [
        ("contact kana prefix", "たなか", F(record_types=("contact",)), ALL, False),
        ("contact full name", "山田 花子", F(record_types=("contact",)), ALL, False),
        ("contact name + era year", "たなか h27", F(), ALL, False),
        ("index patient's number", number, F(), ALL, False),
        ("index number + contact kana", f"{number} たなか", F(), ALL, False),
        ("school word", "太子堂小学校", F(), ALL, False),
        ("school + district + type", "保育園", F(record_types=("contact",), districts=("砧",)), ALL, True),
        ("contacts of a district, facets", "", F(record_types=("contact",), districts=("北沢",)), ALL, True),
        ("contacts area only (すずき)", "すずき", F(), CONTACTS_ONLY, False),
        ("patients only: no contact (すずき)", "すずき", F(), PATIENTS_ONLY, False),
        ("DOTS overdue (filters only)", "", F(dots_due=OVERDUE), ALL, True),
        (
            "訪問DOTS + overdue + district",
            "",
            F(dots_types=("visit",), dots_due=OVERDUE, districts=("玉川",)),
            ALL,
            False,
        ),
        ("intensity A + kana", "さとう", F(dots_intensities=("A",)), ALL, False),
        ("DOTS due this week", "", F(dots_due=DateRange(TODAY, TODAY + timedelta(days=6))), ALL, False),
        ("itemless 訪問DOTS", "訪問dots", F(), ALL, False),
    ]


def index_patients(count: int, rng: random.Random) -> Iterator[tuple[SearchDocument, IndexPatient]]:
    """Synthetic patients (a fifth with a DOTS plan in force, some of them overdue) and how contacts show them."""
    for n in range(count):
        (surname, s_kana), (given, g_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        number, district = f"{2015 + n % 10}-{n % 100000:05d}", rng.choice(DISTRICTS)
        document = SearchDocument(
            record_type="patient", id=f"p-{n}", version=1, area="patients", name=f"{surname} {given}",
            name_kana=f"{s_kana} {g_kana}", birth_date=date(1930, 1, 1) + timedelta(days=rng.randrange(33000)),
            registration_no=number, status="active", active=True, phone=f"03-5555-{n % 10000:04d}",
            sex=rng.choice(["male", "female"]), district=district, nurse=f"nurse{n % 4 + 1}",
            registered_on=date(2015, 1, 1) + timedelta(days=rng.randrange(4000)),
        )  # fmt: skip
        if n % 5 == 0:
            kind, label = rng.choice(DOTS)
            plan = PlanFacts(TODAY - timedelta(days=rng.randrange(200)), None, kind, label, rng.choice("ABC"))
            document = with_dots(document, plan_in_force([plan], TODAY), TODAY + timedelta(days=rng.randrange(-20, 30)))
        yield document, IndexPatient(document.id, number, document.name, district)


def contacts(count: int, index: list[IndexPatient], rng: random.Random) -> Iterator[SearchDocument]:
    """Synthetic contacts of random index patients (one in twenty of two), as the contact consumer builds them."""
    for n in range(count):
        (surname, s_kana), (given, g_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        ended = rng.random() < 0.5
        document = SearchDocument(
            record_type="contact", id=f"c-{n}", version=1, area="contacts", name=f"{surname} {given}",
            name_kana=f"{s_kana} {g_kana}", birth_date=date(1940, 1, 1) + timedelta(days=rng.randrange(30000)),
            registration_no="", status="ended" if ended else "active", active=not ended,
            phone=f"090-{n % 10000:04d}-{n // 10000 % 10000:04d}", sex=rng.choice(["male", "female"]),
            registered_on=date(2020, 1, 1) + timedelta(days=rng.randrange(2000)),
            texts=(rng.choice(SCHOOLS),) if n % 3 == 0 else (),
        )  # fmt: skip
        patients = [rng.choice(index)] + ([rng.choice(index)] if n % 20 == 0 else [])
        if n % 2000 == 1:  # an outbreak: 500 contacts of one index patient (of 1,000,000)
            patients = [index[4242 % len(index)]]
        yield with_index(document, patients)


async def report(engine: EmbeddedEngine, repeat: int, rng: random.Random, patients: int) -> None:
    """Latency of every shape: search (first page of 20) and, for shapes with words, the drop-down."""
    print(f"{'shape':36} {'search ms':>22}   {'suggest ms':>22}   hits", flush=True)
    for label, text, filters, areas, facets in shapes(rng, patients):
        query = SearchQuery(text, areas, limit=20, filters=filters, facets=facets)
        result = await engine.search(query)
        searched = percentiles(await measure(engine, query, repeat))
        suggested = percentiles(await measure(engine, query, repeat, suggest=True)) if text else "-"
        total = f"{result.total}{'+' if result.total_is_lower_bound else ''}"
        print(f"{label:36} {searched:>22}   {suggested:>22}   {total}", flush=True)


async def main(patient_count: int, contact_count: int, repeat: int, directory: Path | None) -> None:
    """Builds the index (or reuses the one in `directory`), then prints build time and latency per query shape."""
    rng = random.Random(11)  # noqa: S311 - reproducible synthetic data, not secrets
    with tempfile.TemporaryDirectory() as scratch:
        engine = EmbeddedEngine(directory or Path(scratch))
        reuse = engine.path.exists()
        await engine.start()
        if not reuse:
            started = time.perf_counter()
            built = list(index_patients(patient_count, rng))
            stored = await build(engine, iter(document for document, _ in built))
            print(f"patients: {stored} in {time.perf_counter() - started:.1f} s", flush=True)
            stored += await build(engine, contacts(contact_count, [patient for _, patient in built], rng))
            print(f"index build ({stored} documents): {time.perf_counter() - started:.1f} s", flush=True)
            await engine.optimise()
            print(f"index build and optimise: {time.perf_counter() - started:.1f} s", flush=True)
        size = sum(part.stat().st_size for part in engine.path.parent.glob(engine.path.name + "*"))
        print(f"index size {size / 2**20:.0f} MiB; peak RSS after build {peak_rss_mib():.0f} MiB", flush=True)
        await report(engine, repeat, rng, patient_count)
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
