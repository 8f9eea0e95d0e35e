"""Master list and type-ahead at national scale: 180,000 医療機関 (Japan has about 180,000 hospitals, clinics and
pharmacies), searched by name, カナ and code as staff type them, through the masters API in-process.

    uv run python bench/masters_list.py [--count 180000] [--rounds 40]

Rows are bulk-loaded with COPY into a scratch database migrated by Alembic (the service's own path would audit and
publish an event per row, which is the import benchmark's subject, not this one's); the search key is the one the
service stores (`masters.master.views.record_key`). Prints p50/p95 per query shape and the peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import resource
import statistics
import time
from datetime import date

import asyncpg
import httpx
from masters.main import create_app
from masters.master.views import record_key
from tbms_contracts.masters import record_id
from tbms_core.jp.check_digits import modulus10_check_digit
from tbms_testing import auth_headers, service_client

WORDS = ["中央", "試験", "架空", "東", "西", "南", "北", "さくら", "みどり", "ひかり", "青葉", "若葉", "山手", "港"]
KANA = {
    "中央": "チュウオウ",
    "試験": "シケン",
    "架空": "カクウ",
    "東": "ヒガシ",
    "西": "ニシ",
    "南": "ミナミ",
    "北": "キタ",
    "さくら": "サクラ",
    "みどり": "ミドリ",
    "ひかり": "ヒカリ",
    "青葉": "アオバ",
    "若葉": "ワカバ",
    "山手": "ヤマテ",
    "港": "ミナト",
}
KINDS = [("病院", "ビョウイン", "hospital"), ("クリニック", "クリニック", "clinic"), ("薬局", "ヤッキョク", "pharmacy")]
COLUMNS = "id kind code name kana search_key data valid_from valid_to version updated_by".split()
QUERIES = {
    "list, first page": {},
    "name, 2 characters": {"q": "中央"},
    "name, 1 character": {"q": "港"},
    "カナ in hiragana": {"q": "さくらびょう"},
    "code prefix (prefecture)": {"q": "13"},
    "exact code": {"q": None},  # filled with a loaded code
    "name, no match": {"q": "該当なし医院"},
    "with ended rows": {"q": "試験", "include_ended": "true"},
}


def institution(n: int, rng: random.Random) -> tuple:
    """One synthetic 医療機関 with a valid 10-digit code (都道府県, 点数表 1, 郡市区, 番号, 検証番号)."""
    prefecture = n % 47 + 1
    body = f"{n // 10000 % 100:02d}{n % 10000:04d}"
    code = f"{prefecture:02d}1{body}{modulus10_check_digit(body)}"
    word, second = rng.choice(WORDS), rng.choice(WORDS)
    label, label_kana, kind = rng.choice(KINDS)
    name = f"{word}{second}{label}{n % 97 or ''}"
    kana = f"{KANA[word]}{KANA[second]}{label_kana}"
    data = {
        "type": kind,
        "address": f"試験県試験市試験町{n % 50 + 1}-{n % 30 + 1}",
        "phone": "",
        "designated": n % 9 == 0,
    }
    ended = n % 20 == 0
    return (
        record_id("institution", code),
        "institution",
        code,
        name,
        kana,
        record_key(name, kana),
        json.dumps(data, ensure_ascii=False),
        date(2010, 4, 1),
        date(2020, 3, 31) if ended else None,
        1,
        "bench",
    )


async def load(client: httpx.AsyncClient, count: int) -> str:
    """Bulk-loads the institutions into the service's scratch database; returns one loaded code."""
    rng = random.Random(7)  # noqa: S311 - reproducible synthetic data
    rows = [institution(n, rng) for n in range(1, count + 1)]
    dsn = str(client.app.state.db.engine.url).replace("+asyncpg", "")  # type: ignore[attr-defined]
    conn = await asyncpg.connect(dsn)
    try:
        await conn.set_type_codec(
            "jsonb",
            encoder=lambda v: b"\x01" + v.encode(),  # binary jsonb: a version byte, then the text
            decoder=lambda b: json.loads(b[1:]),
            schema="pg_catalog",
            format="binary",
        )
        await conn.copy_records_to_table("master_records", records=rows, columns=COLUMNS)
        await conn.execute("ANALYZE master_records")
    finally:
        await conn.close()
    return rows[count // 2][2]


async def measure(client: httpx.AsyncClient, rounds: int, code: str) -> None:
    """Runs each query shape `rounds` times and prints p50/p95 with the number found."""
    headers = auth_headers("nurse1")
    shapes = {name: dict(params) for name, params in QUERIES.items()}
    shapes["exact code"]["q"] = code
    suggest = {"suggest, 2 characters": "中央", "suggest, カナ": "サクラ", "suggest, code": code[:6]}
    print(f"{'query':28} {'p50 ms':>8} {'p95 ms':>8} {'found':>8}")
    for name, params in shapes.items():
        times, total = [], 0
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.get("/masters/institution", params={**params, "limit": 50}, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
            total = answer.json()["total"]
        print(f"{name:28} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {total:8}")
    for name, typed in suggest.items():
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            answer = await client.get("/masters/institution/suggest", params={"q": typed}, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            answer.raise_for_status()
        print(f"{name:28} {statistics.median(times):8.1f} {percentile(times, 95):8.1f} {len(answer.json()):8}")


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share / 100 * (len(ordered) - 1)))]


async def main() -> None:
    """Loads, measures and reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=180_000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    async with service_client("masters", create_app) as client:
        started = time.perf_counter()
        logging.disable(logging.INFO)  # the service's access log would drown the figures
        code = await load(client, args.count)
        print(f"loaded {args.count:,} institutions in {time.perf_counter() - started:.1f} s")
        await measure(client, args.rounds, code)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
