"""A 診査会 session of 40 cases printed with all their papers as one merged PDF, through the reports API in-process
with a real demo-user token (clerk1: 診査会・公費 and 帳票).

    uv run python bench/board_session.py [--cases 40] [--rounds 3]

The read model is filled as the events would fill it (patients, one session, its cases: 37条の2 approvals with a
患者票, refusals, 20条 cases with their 勧告 and 18条 cases with their notice) in a scratch database migrated by
Alembic. Each round prints every form of every case (F16, F17, F28, F09, F13, F15, F10, F11, F12: each case gets
those that apply to it) and then only the members' papers (F17, F28). Prints the time, the pages and the size.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import resource
import statistics
import subprocess
import time
import uuid
from datetime import date

import httpx
from reports.board_record.repository import BoardRecordRepository
from reports.main import create_app
from reports.patient_summary.repository import PatientSummaryRepository
from reports.settings import get_settings
from tbms_contracts.patients import BoardRecordSnapshot, PatientSnapshot
from tbms_testing import auth_headers, service_client

ALL_FORMS = "F16,F17,F28,F09,F13,F15,F10,F11,F12"
MEMBERS_FORMS = "F17,F28"
KINDS = ("37-2_new", "37-2_continuation", "37-2_new", "art20", "art18")  # a usual mix on a TB agenda


def _case(n: int, session_id: str) -> dict[str, object]:
    kind = KINDS[n % len(KINDS)]
    refused = n % 10 == 9
    return {
        "session_id": session_id, "position": n, "kind": kind, "received_on": "2026-10-01",
        "admitted_on": "2026-09-28" if kind == "art20" else None, "summary": "咳嗽と微熱が2か月続く。" * 3,
        "bacteriology": "喀痰塗抹 2+、培養陽性（結核菌群）、LAMP陽性", "xray": "右上葉に空洞を伴う浸潤影",
        "gakkai": "bII2", "treatment_plan": "2HREZ/4HR", "certificate_on": "2026-09-29",
        "certificate_doctor": "試験 医師", "institution": "試験総合病院", "pharmacy": "試験薬局",
        "decision": "refused" if refused else "approved", "decided_on": "2026-10-20",
        "valid_from": "2026-10-01", "valid_to": "2027-03-31", "conditions": "", "comments": "妥当",
        "payer_number": "10131019", "recipient_number": "" if refused else f"{n:06d}0",
    }  # fmt: skip


async def load(client: httpx.AsyncClient, cases: int) -> str:
    """One session of `cases` cases with their patients, 患者票 and 勧告 in the read model."""
    session_id = str(uuid.uuid4())
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        patients, records = PatientSummaryRepository(session), BoardRecordRepository(session)
        await records.apply(
            BoardRecordSnapshot(
                id=session_id, version=1, kind="session", data={"held_at": "2026-10-20T05:00:00+00:00"}
            ),
            1,
        )
        for n in range(1, cases + 1):
            patient = PatientSnapshot(
                id=str(uuid.uuid4()), version=1, registration_no=f"2026-{n:05d}", registered_on=date(2026, 9, 1),
                category="patient", name=f"試験 太郎{n}", name_kana="シケン タロウ", sex="male",
                birth_date=date(1960, 1, 1), address=f"東京都世田谷区試験町{n}-1",
            )  # fmt: skip
            await patients.apply(patient, 1)
            case_id, data = str(uuid.uuid4()), _case(n, session_id)
            labels = {"kind": str(data["kind"]), "decision": "承認" if data["recipient_number"] else "不承認"}
            await records.apply(BoardRecordSnapshot(id=case_id, patient_id=patient.id, version=1, kind="case",
                                                    data=data, labels=labels), 1)  # fmt: skip
            extra = {"case_id": case_id, "issued_on": "2026-10-21", "starts_on": "2026-09-28", "ends_on": "2026-10-27"}
            if data["kind"].startswith("37-2") and data["recipient_number"]:  # type: ignore[union-attr]
                card = data | {
                    "case_id": case_id,
                    "issued_on": "2026-10-21",
                    "care_kind": "化学療法",
                    "status": "issued",
                }
                await records.apply(BoardRecordSnapshot(id=str(uuid.uuid4()), patient_id=patient.id, version=1,
                                                        kind="card", data=card), 1)  # fmt: skip
            elif data["kind"] in ("art20", "art18"):
                article = "20" if data["kind"] == "art20" else "18"
                measure = extra | {"article": article, "hospital": "試験結核病院", "restricted_work": "接客業"}
                await records.apply(BoardRecordSnapshot(id=str(uuid.uuid4()), patient_id=patient.id, version=1,
                                                        kind="measure", data=measure), 1)  # fmt: skip
        await session.commit()
    return session_id


def pages(pdf: bytes) -> int:
    """The number of pages pdfinfo counts."""
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S607
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


async def main() -> None:
    """Loads a session and prints it `rounds` times, all papers and the members' papers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    os.environ.setdefault("TBMS_REPORTS_S3_BUCKET", "tbms-documents-test")
    get_settings.cache_clear()
    headers = await asyncio.to_thread(auth_headers, "clerk1")
    async with service_client("reports", create_app) as client:
        session_id = await load(client, args.cases)
        url = f"/board/sessions/{session_id}/forms"
        print(f"{'papers':24} {'median s':>9} {'max s':>7} {'pages':>6} {'MiB':>6}")
        for label, forms in (("all forms of every case", ALL_FORMS), ("members' papers only", MEMBERS_FORMS)):
            times, answer = [], None
            for _ in range(args.rounds):
                started = time.perf_counter()
                answer = await client.get(url, params={"forms": forms}, headers=headers, timeout=600)
                times.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text
            assert answer is not None
            size = len(answer.content) / 2**20
            print(f"{label:24} {statistics.median(times):9.1f} {max(times):7.1f} {pages(answer.content):6} {size:6.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process (service in-process): {peak:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
