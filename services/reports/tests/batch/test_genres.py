"""Batches of the 診査会 and 接触者健診 genres through the API: a session's cases, in agenda order, with only the forms
that apply to each and the session's label sheet; a screening day's contacts with their 受診票 and 実施票; each
form filed with its record, one merged PDF kept with the batch (R19)."""

from __future__ import annotations

import asyncio
import io
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from reports.batch.worker import BatchWorker
from reports.board_record.repository import BoardRecordRepository
from reports.document.filing import screening_day_id
from reports.patient_summary.repository import PatientSummaryRepository
from reports.request_letter.repository import ContactSummaryRepository
from tbms_contracts.contacts import (
    ContactSnapshot,
    ContactUpdated,
    ExamSnapshot,
    ExposureSnapshot,
    RecommendationSnapshot,
)
from tbms_contracts.patients import BoardRecordSaved, BoardRecordSnapshot, PatientSnapshot
from tbms_core.events import Envelope
from tbms_testing import LiveAuthHeaders, wait_for
from tbms_testing.events import publish

CLERK, NURSE = LiveAuthHeaders("clerk1"), LiveAuthHeaders("nurse1")
pytestmark = pytest.mark.req("R19", partial=True)


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


async def finished(client: httpx.AsyncClient, batch_id: str, headers: Any) -> dict:
    async def done() -> dict | None:
        batch = (await client.get(f"/batches/{batch_id}", headers=headers)).json()
        return batch if batch["status"] in ("done", "failed") else None

    return await wait_for(done, timeout=180)


async def filed(client: httpx.AsyncClient, headers: Any, **params: str) -> list[tuple[str, int]]:
    """(form, page count) of each document filed with a record."""
    listed = (await client.get("/documents", params=params, headers=headers)).json()
    result = []
    for document in listed["items"]:
        content = await client.get(f"/documents/{document['id']}/content", headers=headers)
        result.append((document["kind"], pages(content.content)))
    return sorted(result)


# --- 診査会 ------------------------------------------------------------------------------------------------------

CASE = {
    "kind": "37-2_new", "received_on": "2026-08-31", "bacteriology": "喀痰塗抹 2+", "xray": "右上葉に空洞",
    "gakkai": "bII2", "treatment_plan": "2HREZ/4HR", "institution": "試験総合病院", "decision": "approved",
    "decided_on": "2026-09-10", "valid_from": "2026-08-31", "valid_to": "2027-02-28", "payer_number": "10131019",
    "recipient_number": "0000018",
}  # fmt: skip


async def board_record(kind: str, data: dict[str, Any], patient_id: str = "") -> str:
    record_id = str(uuid.uuid4())
    snapshot = BoardRecordSnapshot(id=record_id, patient_id=patient_id, version=1, kind=kind, data=data, labels={})
    await publish(Envelope.of(BoardRecordSaved(board_record=snapshot, created=True), aggregate_id=record_id, version=1))
    return record_id


async def test_a_session_batch_prints_the_forms_that_apply_to_each_case_and_the_label_sheet(
    client: httpx.AsyncClient,
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
) -> None:
    approved, refused = make_patient(name="一括診査 一子"), make_patient(name="一括診査 二郎", sex="male")
    for patient in (approved, refused):
        await publish_patient(patient)
    session_id = await board_record("session", {"held_at": "2026-11-10T05:00:00+00:00", "place": "第1会議室"})
    # the refused case comes second on the agenda although it was sent first
    await board_record("case", CASE | {"session_id": session_id, "position": 2, "decision": "refused"}, refused.id)
    first = await board_record("case", CASE | {"session_id": session_id, "position": 1}, approved.id)
    card = {
        "case_id": first, "status": "issued", "issued_on": "2026-09-12", "payer_number": "10131019",
        "recipient_number": "0000018", "valid_from": "2026-08-31", "valid_to": "2027-02-28", "reissues": [],
    }  # fmt: skip
    await board_record("card", card, approved.id)

    async def arrived() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            cases = await BoardRecordRepository(session).cases_of_session(uuid.UUID(session_id))
            cards = await BoardRecordRepository(session).of_case(uuid.UUID(first), "card")
            known = [await PatientSummaryRepository(session).find(c.patient_id) for c in cases]
            return len(cases) == 2 and len(cards) == 1 and all(known)

    await wait_for(arrived, timeout=30)
    body = {"genre": "診査会", "session_id": session_id, "forms": ["F16", "F13", "F15", "F14"]}
    response = await client.post("/batches", json=body, headers=CLERK)
    assert response.status_code == 202, response.text
    # 諮問書 and 決定通知書 for both, 患者票 only for the approved case (a card was issued), one label sheet
    assert (response.json()["total"], response.json()["selection"]) == (6, {"session_id": session_id})
    assert response.json()["title"] == "診査会 2件"

    batch = await finished(client, response.json()["id"], CLERK)

    assert (batch["status"], batch["done"], batch["skipped"]) == ("done", 6, []), batch
    merged = (await client.get(f"/batches/{batch['id']}/content", headers=CLERK)).content
    one = await filed(client, CLERK, patient_id=approved.id)
    other = await filed(client, CLERK, patient_id=refused.id)
    sheet = await filed(client, CLERK, owner_type="board_session", owner_id=session_id)
    assert [form for form, _ in one] == ["F13", "F15", "F16"] and [form for form, _ in other] == ["F13", "F16"]
    assert [form for form, _ in sheet] == ["F14"]
    assert pages(merged) == batch["pages"] == sum(count for _, count in one + other + sheet)
    text = text_of(merged)
    assert text.index("一括診査一子") < text.index("一括診査二郎"), "agenda order, not the order received"
    assert text.count("結核患者票") == 1


async def test_a_session_batch_needs_a_known_session_and_forms_of_the_genre(
    client: httpx.AsyncClient,
) -> None:
    none = await client.post("/batches", json={"genre": "診査会"}, headers=CLERK)
    assert none.status_code == 422 and none.json()["errors"]["session_id"] == "印刷する診査会を選んでください。"
    unknown = await client.post("/batches", json={"genre": "診査会", "session_id": str(uuid.uuid4())}, headers=CLERK)
    assert unknown.status_code == 404
    wrong = {"genre": "診査会", "session_id": str(uuid.uuid4()), "forms": ["F03"]}
    refused = await client.post("/batches", json=wrong, headers=CLERK)
    assert refused.status_code == 422 and "F03" in refused.json()["errors"]["forms"]


# --- 接触者健診 ------------------------------------------------------------------------------------------------

DAY, PLACE = date(2026, 12, 14), "一括保健所"


def contact(name: str, kana: str, at: time, place: str = PLACE, *, exposed: bool = True) -> ContactSnapshot:
    exposure = ExposureSnapshot(
        id=str(uuid.uuid4()), index_patient_id=str(uuid.uuid4()), setting="household", relation="同居",
        last_contact_on=date(2026, 11, 1), infectiousness="high",
    )  # fmt: skip
    exam = ExamSnapshot(
        id=str(uuid.uuid4()), version=1, kind="igra_qft", status="planned", planned_on=DAY,
        appointment_on=DAY, appointment_time=at, appointment_place=place,
    )  # fmt: skip
    return ContactSnapshot.model_validate(
        {
            "id": str(uuid.uuid4()), "version": 2, "found_on": date(2026, 11, 20), "name": name, "name_kana": kana,
            "sex": "female", "birth_date": date(1980, 4, 1), "address": "東京都世田谷区試験町2-2", "priority": "high",
            "exposures": [exposure] if exposed else [], "exams": [exam],
        }
    )  # fmt: skip


async def arrived(client: httpx.AsyncClient, snapshot: ContactSnapshot) -> None:
    event = ContactUpdated(contact=snapshot)
    await publish(Envelope.of(event, aggregate_id=snapshot.id, version=snapshot.version, actor="test"))

    async def held() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await ContactSummaryRepository(session).find(uuid.UUID(snapshot.id)) is not None

    await wait_for(held, timeout=15)


async def test_a_screening_day_batch_prints_each_contacts_forms_in_appointment_order(
    client: httpx.AsyncClient,
) -> None:
    late = contact("一括健診 午後", "イッカツケンシン ゴゴ", time(14, 0), exposed=False)  # its 実施票 lacks 接触状況
    early = contact("一括健診 午前", "イッカツケンシン ゴゼン", time(9, 30))
    elsewhere = contact("一括健診 他所", "イッカツケンシン タショ", time(10, 0), place="別の会場")
    for snapshot in (late, early, elsewhere):
        await arrived(client, snapshot)

    body = {"genre": "接触者健診", "day": DAY.isoformat(), "place": PLACE, "forms": ["F19", "F23"]}
    response = await client.post("/batches", json=body, headers=NURSE)
    assert response.status_code == 202, response.text
    assert response.json()["total"] == 4  # 受診票 and 実施票 for the two at this place
    assert response.json()["title"] == f"接触者健診 {DAY.isoformat()} {PLACE} 2人"

    batch = await finished(client, response.json()["id"], NURSE)

    assert (batch["status"], batch["done"]) == ("done", 4), batch
    assert batch["skipped"] == [
        {
            "contact_id": late.id, "form": "F23", "reason": "印刷に必要な項目が入力されていません。（接触状況）",
            "name": "一括健診 午後",
        }
    ]  # fmt: skip
    merged = (await client.get(f"/batches/{batch['id']}/content", headers=NURSE)).content
    first = await filed(client, NURSE, owner_type="contact", owner_id=early.id)
    second = await filed(client, NURSE, owner_type="contact", owner_id=late.id)
    assert [form for form, _ in first] == ["F19", "F23"] and [form for form, _ in second] == ["F19"]
    assert await filed(client, NURSE, owner_type="contact", owner_id=elsewhere.id) == []
    assert pages(merged) == batch["pages"] == sum(count for _, count in first + second)
    text = text_of(merged)
    assert text.index("一括健診午前") < text.index("一括健診午後") and "一括健診他所" not in text


async def test_a_screening_day_batch_prints_every_form_of_the_genre_that_applies(
    client: httpx.AsyncClient,
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
    summary_of: Callable[[str], Awaitable[object]],
) -> None:
    """Nothing ticked: each contact's 勧告書 (while one is in force), お知らせ, 受診票 and 実施票, the F05 of their
    index patient and the F25 受付簿 of the place, every one filed with its record and in the merged PDF."""
    day, place = date(2026, 12, 16), "全帳票会場"
    index = make_patient(name="全帳票 発端")
    await publish_patient(index)
    await wait_for(lambda: summary_of(index.id), timeout=15)
    received, waiting = (
        contact("全帳票 受付済", "ゼンチョウヒョウ ウケツケズミ", time(9, 0), place),
        contact("全帳票 未受付", "ゼンチョウヒョウ ミウケツケ", time(10, 0), place),
    )
    people = []
    for n, snapshot in enumerate((received, waiting)):
        exposure = snapshot.exposures[0].model_copy(update={"index_patient_id": index.id})
        exam = snapshot.exams[0].model_copy(update={"appointment_on": day, "planned_on": day})
        if n == 0:  # received at the place at 08:55 JST, receipt number 1
            moment = datetime(2026, 12, 15, 23, 55, tzinfo=UTC)
            exam = exam.model_copy(
                update={"received_at": moment, "received_on": day, "reception_place": place, "receipt_no": 1}
            )
        exams = [exam]
        if n == 1:  # a second appointment the same day: its own お知らせ and 受診票, the other forms once
            second = ExamSnapshot(
                id=str(uuid.uuid4()), version=1, kind="xray", status="planned", planned_on=day, appointment_on=day,
                appointment_time=time(11, 0), appointment_place=place,
            )  # fmt: skip
            exams.append(second)
        update: dict[str, Any] = {"exposures": [exposure], "exams": exams}
        if n == 0:  # a 17条 勧告 in force
            update["recommendations"] = [
                RecommendationSnapshot(
                    id=str(uuid.uuid4()), version=1, issued_on=date(2026, 12, 1), delivery="mail",
                    exams=["igra_qft"], deadline_on=date(2026, 12, 25),
                )
            ]  # fmt: skip
        people.append(snapshot.model_copy(update=update))
    for snapshot in people:
        await arrived(client, snapshot)

    body = {"genre": "接触者健診", "day": day.isoformat(), "place": place}
    response = await client.post("/batches", json=body, headers=NURSE)
    assert response.status_code == 202, response.text
    # F18, F29, F19, F23 for the one with a 勧告; F29, F19 of each appointment and F23 once for the other; F05 once;
    # F25 once
    assert response.json()["total"] == 11, response.json()
    batch = await finished(client, response.json()["id"], NURSE)

    assert (batch["status"], batch["done"], batch["skipped"]) == ("done", 11, []), batch
    first = await filed(client, NURSE, owner_type="contact", owner_id=people[0].id)
    second = await filed(client, NURSE, owner_type="contact", owner_id=people[1].id)
    status = await filed(client, NURSE, patient_id=index.id)
    register = await filed(client, NURSE, owner_type="screening_day", owner_id=str(screening_day_id(day, place)))
    assert [form for form, _ in first] == ["F18", "F19", "F23", "F29"]
    assert [form for form, _ in second] == ["F19", "F19", "F23", "F29", "F29"]
    assert [form for form, _ in status] == ["F05"] and [form for form, _ in register] == ["F25"]
    merged = (await client.get(f"/batches/{batch['id']}/content", headers=NURSE)).content
    assert pages(merged) == batch["pages"] == sum(count for _, count in first + second + status + register)
    text = text_of(merged)
    titles = ("結核に係る健康診断の勧告書", "管理検診のお知らせ", "受診票", "健診実施票", "家族・接触者健診実施状況")
    assert [title for title in titles if title not in text] == []
    assert text.count("受付簿") >= 1 and text.count("全帳票受付済") >= 5  # 4 forms of hers, her line on F05 and F25
    assert text.index("全帳票受付済") < text.index("全帳票未受付"), "in the order of the appointments"
    assert text.rindex("家族・接触者健診実施状況") < text.rindex("受付簿"), "F05 after the contacts, F25 last"

    # 患者管理 prints F05 for a patient who has contacts only
    alone = make_patient(name="全帳票 接触者なし")
    await publish_patient(alone)
    await wait_for(lambda: summary_of(alone.id), timeout=15)
    by_patient = {"genre": "患者管理", "patient_ids": [index.id, alone.id], "forms": ["F05"]}
    planned = await client.post("/batches", json=by_patient, headers=NURSE)
    assert (planned.status_code, planned.json()["total"]) == (202, 1), planned.text


async def test_a_screening_day_batch_of_forms_that_apply_to_nobody_is_refused_beside_the_forms(
    client: httpx.AsyncClient,
) -> None:
    day = date(2026, 12, 17)
    person = contact("該当なし 試験", "ガイトウナシ シケン", time(9, 0), "該当なし会場")
    exam = person.exams[0].model_copy(update={"appointment_on": day})
    await arrived(client, person.model_copy(update={"exams": [exam]}))
    body = {"genre": "接触者健診", "day": day.isoformat(), "place": "該当なし会場", "forms": ["F18", "F25"]}
    response = await client.post("/batches", json=body, headers=NURSE)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]["forms"] == "選んだ帳票は、この日に予約のある接触者のどなたにも該当しません。"


async def test_a_screening_day_without_appointments_is_said_beside_the_day(client: httpx.AsyncClient) -> None:
    body = {"genre": "接触者健診", "day": "2031-01-06", "place": "予約のない会場"}
    response = await client.post("/batches", json=body, headers=NURSE)
    assert response.status_code == 422
    assert response.json()["errors"]["day"] == "2031年1月6日に予約のない会場での健診の予約がある接触者はいません。"
    no_day = await client.post("/batches", json={"genre": "接触者健診"}, headers=NURSE)
    assert no_day.status_code == 422 and no_day.json()["errors"]["day"] == "健診の日を入力してください。"


@pytest.fixture
async def paused_worker(client: httpx.AsyncClient) -> AsyncIterator[None]:
    """Stops the service's own batch worker for one test, and starts it again afterwards."""
    app = client.app  # type: ignore[attr-defined]
    worker: BatchWorker = app.state.batch_worker
    worker.stop()
    await asyncio.sleep(max(worker.poll, 0.1) * 2)
    yield
    app.state.kit.tasks.append(asyncio.create_task(worker.run(), name="reports-batch-worker"))


async def test_a_screening_day_batch_stopped_by_a_restart_is_finished_once_by_the_next_process(
    client: httpx.AsyncClient, paused_worker: None
) -> None:
    day, place = date(2026, 12, 21), "再開試験会場"
    people = [contact(f"再開 試験{n}", f"サイカイ シケン{n}", time(9 + n, 0), place) for n in range(6)]
    for snapshot in people:
        snapshot = snapshot.model_copy(
            update={"exams": [e.model_copy(update={"appointment_on": day}) for e in snapshot.exams]}
        )
        await arrived(client, snapshot)
    body = {"genre": "接触者健診", "day": day.isoformat(), "place": place, "forms": ["F19", "F23"]}
    batch = (await client.post("/batches", json=body, headers=NURSE)).json()
    assert batch["total"] == 12, batch
    app = client.app  # type: ignore[attr-defined]

    def worker() -> BatchWorker:
        return BatchWorker(app.state.db, app.state.store, app.state.renderer, poll=0.1, stale=0.5)

    async def done_at_least(count: int) -> bool:
        return (await client.get(f"/batches/{batch['id']}", headers=NURSE)).json()["done"] >= count

    first = asyncio.create_task(worker().run())
    await wait_for(lambda: done_at_least(2), timeout=60)
    first.cancel()  # the process stops mid-batch, as on a restart
    await asyncio.gather(first, return_exceptions=True)
    halfway = (await client.get(f"/batches/{batch['id']}", headers=NURSE)).json()
    assert halfway["status"] == "running" and 2 <= halfway["done"] < 12, halfway

    second = asyncio.create_task(worker().run())
    try:
        result = await finished(client, batch["id"], NURSE)
    finally:
        second.cancel()
        await asyncio.gather(second, return_exceptions=True)

    assert (result["status"], result["done"], result["skipped"]) == ("done", 12, [])
    per_contact = [await filed(client, NURSE, owner_type="contact", owner_id=p.id) for p in people]
    assert all([form for form, _ in forms] == ["F19", "F23"] for forms in per_contact), "no form printed twice"
    merged = (await client.get(f"/batches/{batch['id']}/content", headers=NURSE)).content
    assert pages(merged) == sum(count for forms in per_contact for _, count in forms)
