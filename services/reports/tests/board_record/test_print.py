"""診査会 records reach the reports read model through JetStream, and a session's cases print as one merged PDF
with only the forms that apply to each (a refused case gets no 患者票, nothing is printed for a case not yet
decided but its 諮問書); printing needs 診査会・公費 and 帳票 参照 (R05, F13, F15, F16)."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from reports.board_record.repository import BoardRecordRepository
from reports.patient_summary.repository import PatientSummaryRepository
from tbms_contracts.patients import BoardRecordSaved, BoardRecordSnapshot, PatientSnapshot
from tbms_core.events import Envelope
from tbms_testing import LiveAuthHeaders, wait_for
from tbms_testing.events import publish

CLERK, NURSE = LiveAuthHeaders("clerk1"), LiveAuthHeaders("nurse1")
pytestmark = [
    pytest.mark.req("R05", partial=True),
    pytest.mark.req("F13", partial=True),
    pytest.mark.req("F15", partial=True),
    pytest.mark.req("F16", partial=True),
]


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


async def send(kind: str, data: dict[str, Any], patient_id: str = "", labels: dict[str, str] | None = None) -> str:
    record_id = str(uuid.uuid4())
    snapshot = BoardRecordSnapshot(
        id=record_id, patient_id=patient_id, version=1, kind=kind, data=data, labels=labels or {}
    )
    await publish(Envelope.of(BoardRecordSaved(board_record=snapshot, created=True), aggregate_id=record_id, version=1))
    return record_id


CASE = {
    "kind": "37-2_new", "received_on": "2026-08-31", "bacteriology": "喀痰塗抹 2+", "xray": "右上葉に空洞",
    "gakkai": "bII2", "treatment_plan": "2HREZ/4HR", "institution": "試験総合病院", "decision": "approved",
    "decided_on": "2026-09-10", "valid_from": "2026-08-31", "valid_to": "2027-02-28", "payer_number": "10131019",
    "recipient_number": "0000018",
}  # fmt: skip


async def test_a_session_prints_the_forms_that_apply_to_each_case(
    client: httpx.AsyncClient,
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
) -> None:
    approved, refused = make_patient(name="診査 一子"), make_patient(name="診査 二郎", sex="male")
    for patient in (approved, refused):
        await publish_patient(patient)
    session_id = await send("session", {"held_at": "2026-11-10T05:00:00+00:00", "place": "第1会議室"})
    first = await send("case", CASE | {"session_id": session_id, "position": 1}, approved.id, {"decision": "承認"})
    await send("card", {"case_id": first, "status": "issued", "issued_on": "2026-09-12", "payer_number": "10131019",
                        "recipient_number": "0000018", "valid_from": "2026-08-31", "valid_to": "2027-02-28",
                        "reissues": []}, approved.id)  # fmt: skip
    refusal = CASE | {"session_id": session_id, "position": 2, "decision": "refused", "recipient_number": ""}
    last = await send("case", refusal, refused.id, {"decision": "不承認"})
    url = f"/board/sessions/{session_id}/forms"

    async def both_cases_arrived() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            cases = await BoardRecordRepository(session).cases_of_session(uuid.UUID(session_id))
            return len(cases) == 2 and all([await PatientSummaryRepository(session).find(c.patient_id) for c in cases])

    await wait_for(both_cases_arrived, timeout=30)
    answer = await client.get(url, params={"forms": "F16,F13,F15"}, headers=CLERK, timeout=120)
    assert isinstance(answer, httpx.Response) and answer.headers["content-type"] == "application/pdf"
    text = text_of(answer.content)
    assert page_count(answer.content) == 5  # 諮問書 ×2, 決定通知書 ×2, 患者票 ×1 (none for the refusal)
    assert text.count("結核患者票") == 1 and text.index("診査一子") < text.index("診査二郎")
    # each form is filed with its patient (R20): 諮問書, 決定通知書 and 患者票 of the one, two of the other
    assert len(answer.headers["x-document-ids"].split(",")) == 5
    listed = await client.get("/documents", params={"patient_id": approved.id}, headers=CLERK)
    assert sorted(d["kind"] for d in listed.json()["items"]) == ["F13", "F15", "F16"]
    one = await client.get(f"/board/cases/{last}/forms", params={"forms": "F15"}, headers=CLERK)
    assert one.status_code == 422 and "印刷できる内容がありません" in one.json()["detail"]
    assert (await client.get(url, params={"forms": "F99"}, headers=CLERK)).status_code == 422


async def test_printing_needs_the_review_area(client: httpx.AsyncClient) -> None:
    answer = await client.get(f"/board/sessions/{uuid.uuid4()}/forms", headers=LiveAuthHeaders("admin1"))
    assert answer.status_code in (403, 404)
    missing = await client.get(f"/board/sessions/{uuid.uuid4()}/forms", headers=NURSE)
    assert missing.status_code == 404
