"""管理検診 and 行動調査 events reach the reports read model and print as F29 and F08 through the API; the newest
version of each record wins (F08, F29)."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest
from reports.care_record.models import CareRecord
from tbms_contracts.patients import (
    FollowupExamSaved,
    FollowupExamSnapshot,
    InvestigationSaved,
    InvestigationSnapshot,
    PatientSnapshot,
)
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

RecordOf = Callable[[str], Awaitable[CareRecord | None]]


def exam_event(patient_id: str, exam_id: str, version: int, seq: int = 2, **data: object) -> Envelope:
    snapshot = FollowupExamSnapshot(
        id=exam_id,
        patient_id=patient_id,
        version=version,
        seq=seq,
        due_on="2026-08-31",  # type: ignore[arg-type]
        reason="治療終了日（令和7年8月31日）から12か月（治療終了後2年間・6か月ごと）",
        profile="standard",
        profile_label="治療終了後2年間・6か月ごと",
        ended_on="2025-08-31",  # type: ignore[arg-type]
        data=data,
        labels={"place": "保健所"} if data.get("place") == "health_center" else {},
    )
    return Envelope.of(FollowupExamSaved(followup_exam=snapshot), aggregate_id=exam_id, version=version, actor="test")


async def at_version(record_of: RecordOf, record_id: str, version: int) -> CareRecord | None:
    record = await record_of(record_id)
    return record if record is not None and record.version >= version else None


def pdf_text(pdf: bytes) -> str:
    return "".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().split()
    )


@pytest.mark.req("F29", partial=True)
async def test_an_exam_is_kept_newest_version_first_and_prints_as_f29(
    client: httpx.AsyncClient,
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
    care_record_of: RecordOf,
) -> None:
    patient = make_patient()
    await publish_patient(patient)
    exam_id = str(uuid.uuid4())
    await publish(
        exam_event(patient.id, exam_id, 2, appointment_on="2027-01-12", appointment_time="14:00", place="health_center")
    )
    await publish(exam_event(patient.id, exam_id, 1))  # an older version arriving late changes nothing
    kept = await wait_for(lambda: at_version(care_record_of, exam_id, 2), timeout=15)
    assert kept.kind == "followup_exam" and kept.data["seq"] == 2 and kept.data["appointment_time"] == "14:00"  # type: ignore[union-attr]

    async def printable() -> httpx.Response | None:
        response = await client.post(
            "/documents", json={"form": "F29", "patient_id": patient.id}, headers=auth_headers("nurse1")
        )
        return response if response.status_code == 201 else None

    document = (await wait_for(printable, timeout=15)).json()  # type: ignore[union-attr]
    content = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))
    text = pdf_text(content.content)
    assert "管理検診のお知らせ" in text and "第2回管理検診" in text and "令和9年1月12日（2027年1月12日）14:00" in text
    later = str(uuid.uuid4())
    await publish(exam_event(patient.id, later, 1, seq=3, appointment_on="2027-03-02", appointment_time="9:30"))
    await wait_for(lambda: at_version(care_record_of, later, 1), timeout=15)
    body = {"form": "F29", "patient_id": patient.id, "record_id": later}  # the exam chosen when printing
    chosen = await client.post("/documents", json=body, headers=auth_headers("nurse1"))
    assert chosen.status_code == 201, chosen.text
    content = await client.get(f"/documents/{chosen.json()['id']}/content", headers=auth_headers("nurse1"))
    text = pdf_text(content.content)
    assert "第3回管理検診" in text and "令和9年3月2日（2027年3月2日）9:30" in text and "第2回" not in text


@pytest.mark.req("F08", partial=True)
async def test_an_investigation_is_kept_and_prints_as_f08(
    client: httpx.AsyncClient,
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
    care_record_of: RecordOf,
) -> None:
    patient = make_patient()
    await publish_patient(patient)
    found = InvestigationSnapshot(
        id=str(uuid.uuid4()),
        patient_id=patient.id,
        version=1,
        interviewed_on="2026-07-25",  # type: ignore[arg-type]
        interviewer="保健 花子",
        items={
            "household": [{"name": "見本 花子", "relation": "妻"}],
            "diagnosed_on": "2026-07-15",
            "extra": {"pet": "犬1匹"},
        },
        extra_items={"pet": "ペットの飼育"},
        period={"start": "2026-04-15", "end": None, "rule": "咳の時期が不明のため診断（令和8年7月15日）の3か月前"},
        delays=[{"kind": "doctor", "delayed": False, "rule": "初診から診断まで1か月以上"}],
    )
    await publish(
        Envelope.of(
            InvestigationSaved(investigation=found, created=True), aggregate_id=found.id, version=1, actor="test"
        )
    )
    kept = await wait_for(lambda: care_record_of(found.id), timeout=15)
    assert kept.kind == "investigation" and kept.data["period"]["start"] == "2026-04-15"  # type: ignore[union-attr]

    async def printable() -> httpx.Response | None:  # the patient's own event may still be on its way
        response = await client.post(
            "/documents", json={"form": "F08", "patient_id": patient.id}, headers=auth_headers("nurse1")
        )
        return response if response.status_code == 201 else None

    document = (await wait_for(printable, timeout=15)).json()  # type: ignore[union-attr]
    content = await client.get(f"/documents/{document['id']}/content", headers=auth_headers("nurse1"))
    text = pdf_text(content.content)
    assert "咳の時期が不明のため診断（令和8年7月15日）の3か月前" in text and "見本花子" in text
    assert "8保健所で追加した項目ペットの飼育" in text and "犬1匹" in text
