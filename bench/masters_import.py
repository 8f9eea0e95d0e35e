"""10,000 医療機関 from one CSV: preview, apply, the same file again; `uv run python bench/masters_import.py`.

What it does, all against real components:
1. creates the database `tbms_masters_bench` and migrates it with Alembic;
2. runs the masters service in-process (its lifespan, the outbox relay) on its own nats-server, so the 10,000
   MasterChanged and audit events it publishes do not reach the dev stack, verifying a real Keycloak token;
3. writes `--rows` synthetic institutions (valid 医療機関コード, every column of the export filled) as a CSV in CP932,
   as Excel saves it, and posts it: the preview (`POST /masters/institution/imports`), then the apply
   (`POST /masters/imports/{id}/apply`), then the same file again, which must preview as unchanged and apply nothing;
4. prints each step's wall time and the process's peak resident memory during it (service and client share the
   process, so the figure is an upper bound for the service).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from masters.main import create_app
from tbms_core.jp.check_digits import modulus10_check_digit
from tbms_testing import auth_headers
from tbms_testing.services import drop_database, migrate, recreate_database, test_env

DATABASE = "tbms_masters_bench"
NATS_PORT = 14223
HEADER = (
    "医療機関コード 名称 カナ 郵便番号 住所 電話番号 FAX番号 種別 結核指定医療機関 指定年月日 指定の終了日 結核病床 "
    "結核病床数 診療科 有効期間（開始） 有効期間（終了）"
).split()
TYPES = ["病院", "診療所", "薬局"]
KANA = ["シケン", "カクウ", "タメシ", "モデル"]


def institution_row(n: int) -> list[object]:
    """One synthetic 医療機関 (東京都 13, 医科 1) with its 検証番号."""
    body = f"{n:06d}"
    designated, beds = n % 3 == 0, n % 7 == 0
    return [
        f"131{body}{modulus10_check_digit(body)}",
        f"試験{['病院', 'クリニック', '薬局'][n % 3]}{n:05d}",
        f"{KANA[n % 4]}{['ビョウイン', 'クリニック', 'ヤッキョク'][n % 3]}",
        f"154-{n % 10000:04d}",
        f"東京都試験区試験町{n % 9 + 1}-{n % 30 + 1}",
        f"03-5555-{n % 10000:04d}",
        f"03-5556-{n % 10000:04d}",
        TYPES[n % 3],
        "はい" if designated else "いいえ",
        "令和2年4月1日" if designated else "",
        "",
        "はい" if beds else "いいえ",
        10 + n % 40 if beds else "",
        "内科\n呼吸器内科" if n % 3 != 2 else "",
        "2020-04-01",
        "",
    ]


def institutions_csv(count: int) -> bytes:
    """The file as Excel saves a Japanese sheet: CP932, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(institution_row(n) for n in range(1, count + 1))
    return buffer.getvalue().encode("cp932")


class PeakMemory:
    """Samples the process's resident memory every 20 ms; `during()` gives a step's peak."""

    def __init__(self) -> None:
        self.peak, self._stop = 0, threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        threading.Thread(target=self._sample, daemon=True).start()

    def rss(self) -> int:
        """Resident memory now, bytes."""
        return int(Path("/proc/self/statm").read_text().split()[1]) * self._page

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.rss())

    @contextmanager
    def during(self) -> Iterator[dict[str, float]]:
        """Yields a dict that holds `seconds` and `peak_mib` once the block ends."""
        self.peak = self.rss()
        figures: dict[str, float] = {}
        started = time.perf_counter()
        yield figures
        figures["seconds"] = time.perf_counter() - started
        figures["peak_mib"] = max(self.peak, self.rss()) / 2**20


def start_nats(workdir: Path) -> subprocess.Popen:
    """A private JetStream server for the bench."""
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    return subprocess.Popen(  # noqa: S603 - fixed arguments
        [binary, "-js", "-a", "127.0.0.1", "-p", str(NATS_PORT), "-sd", str(workdir / "nats"), "-m", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def step(client: httpx.AsyncClient, memory: PeakMemory, name: str, method: str, url: str, **kw: object) -> dict:
    """One timed request; prints its figures and returns its JSON answer."""
    with memory.during() as figures:
        response = await client.request(method, url, **kw)  # type: ignore[arg-type]
    if response.status_code >= 400:
        raise SystemExit(f"{name}: {response.status_code} {response.text[:500]}")
    answer = response.json()
    counts = answer.get("counts", {})
    print(f"{name:<28} {figures['seconds']:7.2f} s   {figures['peak_mib']:6.0f} MiB   {counts}")
    return answer


async def main(count: int, keep: bool) -> None:
    """Sets up the database and the service, runs the four steps, prints the figures."""
    workdir = Path(tempfile.mkdtemp(prefix="tbms-bench-"))
    nats_server = start_nats(workdir)
    env = await asyncio.to_thread(test_env, "masters", DATABASE)
    env["TBMS_MASTERS_NATS_URL"] = f"nats://127.0.0.1:{NATS_PORT}"
    env.pop("TBMS_MASTERS_DURABLE_SUFFIX", None)
    await recreate_database(DATABASE)
    await asyncio.to_thread(migrate, "masters", env)
    os.environ.update(env)
    os.environ.setdefault("TBMS_LOG_LEVEL", "WARNING")  # the figures, not a log line per request
    content = institutions_csv(count)
    print(f"{count:,} institutions, CSV {len(content) / 2**20:.1f} MiB in CP932")
    app = create_app()
    memory = PeakMemory()
    headers = auth_headers("admin1")
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://masters", timeout=600) as client:
                print(f"{'step':<28} {'time':>9}   {'peak RSS':>10}")
                print(f"{'service started':<28} {'':>9}   {memory.rss() / 2**20:6.0f} MiB")
                files = {"file": ("医療機関.csv", content, "text/csv")}
                preview = await step(
                    client, memory, "preview (all new)", "POST", "/masters/institution/imports", files=files,
                    headers=headers,
                )  # fmt: skip
                await step(client, memory, "apply", "POST", f"/masters/imports/{preview['id']}/apply", headers=headers)
                again = await step(
                    client, memory, "preview again (unchanged)", "POST", "/masters/institution/imports", files=files,
                    headers=headers,
                )  # fmt: skip
                await step(
                    client, memory, "apply again", "POST", f"/masters/imports/{again['id']}/apply", headers=headers
                )
                with memory.during() as figures:
                    exported = await client.get("/masters/institution/export.csv", headers=headers)
                rows = exported.content.count(b"\r\n") - 1
                print(
                    f"{'export.csv':<28} {figures['seconds']:7.2f} s   {figures['peak_mib']:6.0f} MiB   {rows:,} rows"
                )
    finally:
        nats_server.terminate()
        nats_server.wait(20)
        shutil.rmtree(workdir, ignore_errors=True)
        if not keep:
            await drop_database(DATABASE)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.keep))
