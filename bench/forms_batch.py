"""Batch printing by genre (R19): every form of 患者管理 (F01–F08, F05 among them) for 30 patients through the
reports API in-process, with the service's own background worker, a real demo-user token, MinIO and a fresh
database migrated by Alembic.

    uv run python bench/forms_batch.py [--patients 30] [--rounds 3] [--forms F03,F06]

Each patient carries a full registration card, four test results, six progress notes and one contact exposed to
them (so F05 prints), so every form fills its sections. Prints, per round, the time from the request to the merged
PDF being ready (the progress API polled every 0.1 s), forms per second, pages and size of the merged PDF.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import time
import uuid
from datetime import date, timedelta

import httpx
from pypdf import PdfReader
from reports.care_record.repository import CareRecordRepository
from reports.lab_result.repository import LabResultRepository
from reports.main import create_app
from reports.patient_summary.repository import PatientSummaryRepository
from reports.request_letter.repository import ContactSummaryRepository
from reports.settings import get_settings
from tbms_contracts.contacts import ContactSnapshot, ExamSnapshot, ExposureSnapshot
from tbms_contracts.patients import CareRecordSnapshot, LabResultSnapshot, PatientSnapshot
from tbms_testing import auth_headers, service_client

CARD = {
    "occupation": "healthcare",
    "notification": {
        "notified_on": "2026-04-06",
        "doctor_name": "届出 医師",
        "institution_name": "試験総合病院",
        "institution_address": "東京都清瀬市竹丘三丁目1番1号",
        "institution_phone": "042-000-0000",
    },
    "disease": {
        "form": "pulmonary",
        "gakkai_side": "b",
        "gakkai_type": "II",
        "gakkai_extent": 2,
        "diagnosed_on": "2026-04-02",
        "onset_on": "2026-02-15",
        "first_visit_on": "2026-03-20",
    },
}


def snapshot(n: int) -> PatientSnapshot:
    """A synthetic patient with a full card."""
    return PatientSnapshot.model_validate(
        {
            "id": str(uuid.uuid4()),
            "version": 1,
            "registration_no": f"2026-8{n:05d}",
            "registered_on": date(2026, 4, 8),
            "category": "patient",
            "name": f"試験 一括{n:02d}",
            "name_kana": "シケン イッカツ",
            "sex": "female" if n % 2 else "male",
            "birth_date": date(1950, 1, 1) + timedelta(days=97 * n),
            "postal_code": "154-0017",
            "address": f"東京都世田谷区世田谷四丁目{n}番",
            "phone": "03-5432-0000",
            "district": "世田谷",
            "nurse": "保健 太郎",
            **CARD,
        }
    )


def contact_of(patient: PatientSnapshot, n: int) -> ContactSnapshot:
    """A household contact of the patient, examined once (F05 lists them)."""
    exposure = ExposureSnapshot(
        id=str(uuid.uuid4()), index_patient_id=patient.id, setting="household", relation="同居",
        last_contact_on=date(2026, 4, 1), infectiousness="high",
    )  # fmt: skip
    exam = ExamSnapshot(
        id=str(uuid.uuid4()), version=1, kind="igra_qft", status="done", planned_on=date(2026, 6, 1),
        done_on=date(2026, 6, 1), result="negative",
    )  # fmt: skip
    return ContactSnapshot.model_validate(
        {
            "id": str(uuid.uuid4()), "version": 1, "found_on": date(2026, 4, 10), "name": f"試験 接触{n:02d}",
            "name_kana": "シケン セッショク", "sex": "male", "birth_date": date(1990, 1, 1),
            "address": patient.address, "priority": "high", "exposures": [exposure], "exams": [exam],
        }
    )  # fmt: skip


async def seed(app: object, count: int) -> list[str]:
    """Writes the patients, their results and notes straight into the read model (as the consumers would)."""
    ids = []
    async with app.state.db.session() as session:  # type: ignore[attr-defined]
        for n in range(count):
            patient = snapshot(n)
            await PatientSummaryRepository(session).apply(patient, 1)
            for k, kind in enumerate(("smear", "culture", "naat", "smear")):
                result = LabResultSnapshot(
                    id=str(uuid.uuid4()),
                    patient_id=patient.id,
                    version=1,
                    kind=kind,
                    specimen="喀痰",
                    collected_on=date(2026, 4, 1) + timedelta(days=14 * k),
                    result_on=date(2026, 4, 2),
                    details={},
                    summary="陽性" if k < 2 else "陰性",
                )
                await LabResultRepository(session).apply(result, 1)
            for k in range(6):
                note = CareRecordSnapshot(
                    id=str(uuid.uuid4()),
                    patient_id=patient.id,
                    version=1,
                    kind="progress_note",
                    data={
                        "noted_on": (date(2026, 4, 10) + timedelta(days=7 * k)).isoformat(),
                        "text": "服薬状況を確認した。副作用の訴えなし。",
                        "author_name": "保健 太郎",
                    },
                    labels={"kind": "面接"},
                )
                await CareRecordRepository(session).apply(note, 1)
            await ContactSummaryRepository(session).apply(contact_of(patient, n), 1)
            ids.append(patient.id)
    return ids


async def one_round(client: httpx.AsyncClient, ids: list[str], forms: list[str]) -> tuple[float, int, int, int]:
    """Seconds from the request to the merged PDF, the forms printed, its pages and bytes."""
    headers = auth_headers("nurse1")
    started = time.perf_counter()
    body = {"genre": "患者管理", "patient_ids": ids, "forms": forms}
    batch = (await client.post("/batches", json=body, headers=headers)).json()
    while batch["status"] not in ("done", "failed"):
        await asyncio.sleep(0.1)
        batch = (await client.get(f"/batches/{batch['id']}", headers=headers)).json()
    elapsed = time.perf_counter() - started
    assert batch["status"] == "done" and not batch["skipped"], batch
    merged = await client.get(f"/batches/{batch['id']}/content", headers=headers)
    return elapsed, batch["total"], len(PdfReader(io.BytesIO(merged.content)).pages), len(merged.content)


async def main() -> None:
    """Seeds, runs the rounds, prints the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patients", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--forms", default="", help="some forms of the genre, comma-separated; all of them if empty")
    args = parser.parse_args()
    forms = [form for form in args.forms.split(",") if form]
    logging.disable(logging.INFO)
    os.environ["TBMS_REPORTS_S3_BUCKET"] = "tbms-documents-bench"
    os.environ["TBMS_REPORTS_BATCH_POLL_SECONDS"] = "0.1"
    get_settings.cache_clear()
    async with service_client("reports", create_app) as client:
        ids = await seed(client.app, args.patients)  # type: ignore[attr-defined]
        for round_no in range(1, args.rounds + 1):
            elapsed, total, pages, size = await one_round(client, ids, forms)
            print(
                f"round {round_no}: {total} forms for {args.patients} patients in {elapsed:.2f} s"
                f" ({total / elapsed:.1f} forms/s), {pages} pages, {size / 1024 / 1024:.2f} MiB"
            )


if __name__ == "__main__":
    asyncio.run(main())
