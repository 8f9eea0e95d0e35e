"""A 診査会 session printed as a background batch (R19): every case's papers and the session's label sheet, each
filed with its record, one merged PDF, through the reports API in-process with the service's own batch worker, a
real demo-user token (clerk1: 診査会・公費 and 帳票), MinIO and a scratch database migrated by Alembic.

    uv run python bench/board_batch.py [--cases 20] [--rounds 2]

The session is loaded as bench/board_session.py loads it (37条の2 approvals with a 患者票, refusals, 20条 and 18条
cases with their 勧告). Prints, per round, the forms planned, the time from the request to the merged PDF being
ready (progress polled every 0.1 s), forms per second, pages and size; then the same session printed at once
(GET /board/sessions/{id}/forms, no filing per batch item) for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import io
import logging
import os
import resource
import time
from pathlib import Path

import httpx
from pypdf import PdfReader
from reports.main import create_app
from reports.settings import get_settings
from tbms_testing import auth_headers, service_client

_spec = importlib.util.spec_from_file_location("board_session", Path(__file__).with_name("board_session.py"))
board_session = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(board_session)  # type: ignore[union-attr]


async def one_round(client: httpx.AsyncClient, session_id: str, headers: dict[str, str]) -> tuple[int, float, int, int]:
    """Forms planned, seconds from the request to the merged PDF, its pages and bytes."""
    started = time.perf_counter()
    answer = await client.post("/batches", json={"genre": "診査会", "session_id": session_id}, headers=headers)
    assert answer.status_code == 202, answer.text
    batch = answer.json()
    while batch["status"] not in ("done", "failed"):
        await asyncio.sleep(0.1)
        batch = (await client.get(f"/batches/{batch['id']}", headers=headers)).json()
    elapsed = time.perf_counter() - started
    assert batch["status"] == "done" and not batch["skipped"], batch
    merged = await client.get(f"/batches/{batch['id']}/content", headers=headers)
    return batch["total"], elapsed, len(PdfReader(io.BytesIO(merged.content)).pages), len(merged.content)


async def main() -> None:
    """Loads a session, prints it as a batch `rounds` times, then once at once."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    os.environ["TBMS_REPORTS_S3_BUCKET"] = "tbms-documents-bench"
    os.environ["TBMS_REPORTS_BATCH_POLL_SECONDS"] = "0.1"
    get_settings.cache_clear()
    headers = await asyncio.to_thread(auth_headers, "clerk1")
    async with service_client("reports", create_app) as client:
        session_id = await board_session.load(client, args.cases)
        for round_no in range(1, args.rounds + 1):
            forms, elapsed, pages, size = await one_round(client, session_id, headers)
            print(
                f"batch round {round_no}: {args.cases} cases, {forms} forms in {elapsed:.1f} s"
                f" ({forms / elapsed:.1f} forms/s), {pages} pages, {size / 2**20:.1f} MiB"
            )
        started = time.perf_counter()
        direct = await client.get(
            f"/board/sessions/{session_id}/forms", params={"forms": board_session.ALL_FORMS + ",F14"},
            headers=headers, timeout=900,
        )  # fmt: skip
        assert direct.status_code == 200, direct.text
        print(
            f"at once (one request): {time.perf_counter() - started:.1f} s, {board_session.pages(direct.content)} pages"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
