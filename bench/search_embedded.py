"""Query latency of the embedded search engine on synthetic patients: `uv run python bench/search_embedded.py`."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from search.engine.base import SearchDocument, SearchQuery
from search.engine.embedded import EmbeddedEngine

# Synthetic name parts (kanji, reading); combined at random, they name nobody in particular.
SURNAMES = [
    ("田中", "タナカ"),
    ("高橋", "タカハシ"),
    ("髙橋", "タカハシ"),
    ("山崎", "ヤマザキ"),
    ("山﨑", "ヤマザキ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("渡辺", "ワタナベ"),
    ("渡邊", "ワタナベ"),
    ("伊藤", "イトウ"),
    ("小林", "コバヤシ"),
    ("中村", "ナカムラ"),
    ("斎藤", "サイトウ"),
    ("齋藤", "サイトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("試験", "シケン"),
    ("検証", "ケンショウ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
]
GIVEN = [
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("一郎", "イチロウ"),
    ("次郎", "ジロウ"),
    ("陽子", "ヨウコ"),
    ("健", "ケン"),
    ("誠", "マコト"),
    ("恵", "メグミ"),
    ("翔太", "ショウタ"),
    ("美咲", "ミサキ"),
]
QUERIES = {
    "kana prefix": ["たなか", "ﾀｶﾊｼ", "やまざき", "さいとう"],
    "2-char kanji": ["田中", "高橋", "山崎", "斎藤"],
    "kana + era year": ["たなか s45", "たかはし 昭和50", "さとう h2", "すずき 1970"],
    "name substring": ["中太", "橋花子", "ばやしけん"],
    "registration no": ["2024-00042", "202305000"],
    "phone": ["03-5555-0123", "55550456"],
}


def synthetic(count: int, seed: int = 7) -> list[SearchDocument]:
    """`count` synthetic patients with varied names, birth dates and numbers."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    documents = []
    for n in range(count):
        (surname, s_kana), (given, g_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        excluded = rng.random() < 0.2
        documents.append(
            SearchDocument(
                record_type="patient",
                id=f"bench-{n}",
                version=1,
                area="patients",
                name=f"{surname} {given}",
                name_kana=f"{s_kana} {g_kana}",
                birth_date=date(1930, 1, 1) + timedelta(days=rng.randrange(33000)),
                registration_no=f"{2015 + n % 10}-{n:05d}",
                status="excluded" if excluded else "active",
                active=not excluded,
                phone=f"03-5555-{n % 10000:04d}",
                postal_code=f"154-{n % 10000:04d}",
                address=f"東京都世田谷区太子堂{n % 5 + 1}-{n % 30 + 1}-{n % 9 + 1}",
            )
        )
    return documents


async def measure(engine: EmbeddedEngine, text: str, repeat: int) -> list[float]:
    """Milliseconds per search of one query, `repeat` times."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await engine.search(SearchQuery(text, ["patients"], limit=20))
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentiles(times: list[float]) -> str:
    """p50 / p95 / max in milliseconds."""
    cuts = statistics.quantiles(times, n=100)
    return f"p50 {cuts[49]:6.2f} ms  p95 {cuts[94]:6.2f} ms  max {max(times):6.2f} ms"


async def main(count: int, repeat: int) -> None:
    """Indexes `count` documents in a temporary directory and prints the latency per query kind."""
    with tempfile.TemporaryDirectory() as directory:
        engine = EmbeddedEngine(Path(directory))
        await engine.start()
        started = time.perf_counter()
        for document in synthetic(count):
            await engine.index(document)
        print(f"indexed {count} documents in {time.perf_counter() - started:.1f} s")
        every: list[float] = []
        for kind, texts in QUERIES.items():
            times = [t for text in texts for t in await measure(engine, text, repeat)]
            every += times
            print(f"{kind:18} {percentiles(times)}")
        print(f"{'all':18} {percentiles(every)}")
        await engine.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.documents, args.repeat))
