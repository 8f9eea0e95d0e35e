"""Every form printed singly is filed as a document of its record (R20): a 診査会 notice (F10) with its patient, a
letter with its request (F30) or contact (F20); the PDF shown is the PDF stored (real MinIO and PostgreSQL), and
the record's documents list it with its form, template version, who printed it and when. The letterhead masters
last sent reaches the next printed letter (F29, F30, F10); F06 prints only the notes of the period asked for."""

from __future__ import annotations

import hashlib
import re
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx
import pytest
from reports.board_record.repository import BoardRecordRepository
from reports.board_record.service import BoardPrintService
from reports.care_record.repository import CareRecordRepository
from reports.document.schemas import DocumentCreate
from reports.document.service import DocumentService
from reports.master_snapshot.consumers import on_master_changed
from reports.patient_summary.repository import PatientSummaryRepository
from reports.request_letter.repository import RequestSummaryRepository
from reports.request_letter.service import LetterService
from tbms_contracts import masters
from tbms_contracts.contacts import RequestChanged, RequestItemSnapshot, RequestSnapshot
from tbms_contracts.masters import MasterChanged, record_id
from tbms_contracts.patients import BoardRecordSaved, BoardRecordSnapshot, CareRecordSnapshot, PatientSnapshot
from tbms_core.auth import Principal
from tbms_core.errors import AccessDenied
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish

CLERK = "clerk1"


def snapshot(direction: str) -> RequestSnapshot:
    """A synthetic request to another health centre as the contacts service publishes it."""
    person = RequestItemSnapshot(contact_id=str(uuid.uuid4()), name="試験 遠子", recommended="IGRA")
    return RequestSnapshot(
        id=str(uuid.uuid4()), version=1, direction=direction, status="draft", counterpart_name="試験市保健所",
        requested_on=date(2026, 11, 20), index_patient_id=str(uuid.uuid4()), index_infectiousness="high",
        items=[person],
    )  # fmt: skip


async def arrived(client: httpx.AsyncClient, request: RequestSnapshot) -> None:
    """Publishes the request as contacts does and waits until reports holds it."""
    event = RequestChanged(request=request, change="created")
    await publish(Envelope.of(event, aggregate_id=request.id, version=request.version, actor="test"))

    async def held() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await RequestSummaryRepository(session).find(uuid.UUID(request.id)) is not None

    await wait_for(held, timeout=15)


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


async def send_board(kind: str, data: dict[str, Any], patient_id: str) -> str:
    """A 診査会 record as the patients service publishes it."""
    record_id_ = str(uuid.uuid4())
    snapshot_ = BoardRecordSnapshot(id=record_id_, patient_id=patient_id, version=1, kind=kind, data=data)
    await publish(
        Envelope.of(BoardRecordSaved(board_record=snapshot_, created=True), aggregate_id=record_id_, version=1)
    )
    return record_id_


async def art18_case(client: httpx.AsyncClient, patient: PatientSnapshot) -> str:
    """An 18条 case with its 就業制限 issued, once both have reached reports."""
    case_id = await send_board("case", {"kind": "art18", "received_on": "2026-11-02"}, patient.id)
    measure = {"case_id": case_id, "article": "18", "issued_on": "2026-11-04", "starts_on": "2026-11-04",
               "restricted_work": "接客業"}  # fmt: skip
    await send_board("measure", measure, patient.id)

    async def held() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return bool(await BoardRecordRepository(session).of_case(uuid.UUID(case_id), "measure"))

    await wait_for(held, timeout=20)
    return case_id


async def opened(client: httpx.AsyncClient, document_id: str, user: str) -> bytes:
    answer = await client.get(f"/documents/{document_id}/content", headers=auth_headers(user))
    assert answer.status_code == 200, answer.text
    return answer.content


@pytest.mark.req("R20")
@pytest.mark.req("F10", partial=True)
async def test_printing_f10_files_the_notice_with_the_patient_and_it_opens_again_unchanged(
    client: httpx.AsyncClient, registered_patient: PatientSnapshot
) -> None:
    case_id = await art18_case(client, registered_patient)

    answer = await client.get(f"/board/cases/{case_id}/forms", params={"forms": "F10"}, headers=auth_headers(CLERK))

    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert "就業制限通知書" in text_of(answer.content)
    [document_id] = answer.headers["x-document-ids"].split(",")
    assert await opened(client, document_id, CLERK) == answer.content  # the very bytes shown, from MinIO
    listed = await client.get("/documents", params={"patient_id": registered_patient.id}, headers=auth_headers(CLERK))
    entry = next(d for d in listed.json()["items"] if d["id"] == document_id)
    assert (entry["kind"], entry["title"], entry["owner_type"], entry["owner_id"]) == (
        "F10", "18条勧告文（就業制限通知書）", "patient", registered_patient.id,
    )  # fmt: skip
    assert entry["sha256"] == hashlib.sha256(answer.content).hexdigest()
    assert entry["template_version"].startswith("1+") and entry["data_version"].startswith("p1+")
    assert entry["created_by_name"] and entry["created_at"]
    assert entry["object_key"] == f"patients/{registered_patient.id}/F10/{document_id}.pdf"


@pytest.mark.req("R20")
@pytest.mark.req("F30", partial=True)
async def test_a_request_letter_is_filed_with_the_request(client: httpx.AsyncClient) -> None:
    request = snapshot("outgoing")
    await arrived(client, request)

    answer = await client.get(f"/request-letters/{request.id}/F30", headers=auth_headers("nurse1"))

    assert answer.status_code == 200
    [document_id] = answer.headers["x-document-ids"].split(",")
    listed = await client.get(
        "/documents", params={"owner_type": "request", "owner_id": request.id}, headers=auth_headers("nurse1")
    )
    assert [(d["id"], d["kind"], d["patient_id"]) for d in listed.json()["items"]] == [(document_id, "F30", None)]
    assert await opened(client, document_id, "nurse1") == answer.content
    assert (
        await client.get("/documents", params={"owner_type": "x"}, headers=auth_headers("nurse1"))
    ).status_code == 422


@pytest.mark.req("R20")
async def test_a_filed_letter_is_opened_only_by_users_who_may_read_its_record(client: httpx.AsyncClient) -> None:
    request = snapshot("outgoing")
    await arrived(client, request)
    answer = await client.get(f"/request-letters/{request.id}/F30", headers=auth_headers("nurse1"))
    state = client.app.state  # type: ignore[attr-defined]
    forms_and_patients = Principal(
        user_id=str(uuid.uuid4()), username="t", display_name="試験", roles=frozenset({"forms:read", "patients:read"})
    )
    async with state.db.session() as session:
        service = DocumentService(session, forms_and_patients, state.store, state.renderer)
        with pytest.raises(AccessDenied, match="接触者管理"):
            await service.open_content(uuid.UUID(answer.headers["x-document-ids"]))


def letterhead_event(version: int, name: str, director: str) -> Envelope:
    """MasterChanged of the letterhead as masters sends it after an administrator changed it."""
    record = masters.MasterSnapshot(
        kind="letterhead", code="self", version=version, name=name, valid_from=date(2026, 4, 1), updated_by="admin1",
        data={"director_title": f"{name}長", "director_name": director, "postal_code": "154-0000",
              "address": "東京都見本区見本一丁目1番1号", "phone": "03-0000-1111"},
    )  # fmt: skip
    payload = MasterChanged(kind="letterhead", code="self", snapshot=record)
    return Envelope.of(payload, aggregate_id=record_id("letterhead", "self"), version=version, actor="admin1")


@pytest.mark.req("R25", "F29", "F30", "F10", partial=True)
async def test_a_letterhead_changed_in_masters_is_on_the_next_printed_letter(
    client: httpx.AsyncClient, registered_patient: PatientSnapshot
) -> None:
    request = snapshot("outgoing")
    await arrived(client, request)
    case_id = await art18_case(client, registered_patient)
    state = client.app.state  # type: ignore[attr-defined]
    clerk = Principal(
        user_id=str(uuid.uuid4()), username="clerk", display_name="試験 事務",
        roles=frozenset({"forms:read", "patients:read", "contacts:read", "review:read"}),
    )  # fmt: skip
    # one rolled-back transaction: a letterhead event on NATS would reach the dev stack's reports as well
    async with state.db.sessions() as session:
        letters = LetterService(session, clerk, state.store, state.renderer)
        documents = DocumentService(session, clerk, state.store, state.renderer)
        board = BoardPrintService(session, clerk, state.store, state.renderer)

        async def printed() -> list[str]:
            letter, _ = await letters.print(uuid.UUID(request.id), "F30")
            notice = await board.print_case(uuid.UUID(case_id), ["F10"])
            f29 = await documents.generate(DocumentCreate(form="F29", patient_id=uuid.UUID(registered_patient.id)))
            f29_pdf = await state.store.read(f29.object_key, f29.version_id, session=session)
            return [text_of(letter.pdf), text_of(notice.pdf), text_of(f29_pdf)]

        before = await printed()
        assert "世田谷区世田谷保健所長" in before[0]  # no letterhead yet: the configured signer
        await on_master_changed(session, letterhead_event(10**9 - 2, "見本第一保健所", "見本 一郎"))
        first = await printed()
        await on_master_changed(session, letterhead_event(10**9 - 1, "見本第二保健所", "見本 二郎"))
        second = await printed()
        await session.rollback()

    for text in first:
        assert "見本第一保健所長" in text and "見本一郎" in text, text[:300]
    for text in second:
        assert "見本第二保健所長" in text and "見本二郎" in text and "見本第一保健所" not in text, text[:300]
        assert "03-0000-1111" in text  # the phone reaches each letter's 問い合わせ先
    assert "世田谷区世田谷保健所長" not in second[0]


@pytest.mark.req("F06", partial=True)
async def test_f06_prints_only_the_notes_of_the_period_asked_for(
    client: httpx.AsyncClient,
    registered_patient: PatientSnapshot,
    make_care_record: Callable[..., CareRecordSnapshot],
    publish_record: Callable[[CareRecordSnapshot], Awaitable[Envelope]],
) -> None:
    notes = {"2026-04-02": "四月の訪問", "2026-06-15": "六月の面接", "2026-09-30": "九月の電話"}
    for day, text in notes.items():
        record = make_care_record(
            registered_patient.id, "progress_note", {"noted_on": day, "text": text, "contact": "visit"}
        )
        await publish_record(record)

    async def all_held() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            patient = await PatientSummaryRepository(session).find(uuid.UUID(registered_patient.id))
            held = await CareRecordRepository(session).of_patient(uuid.UUID(registered_patient.id))
            return patient is not None and len([r for r in held if r.kind == "progress_note"]) == 3

    await wait_for(all_held, timeout=20)
    body = {"form": "F06", "patient_id": registered_patient.id, "period_from": "2026-05-01", "period_to": "2026-09-29"}
    answer = await client.post("/documents", json=body, headers=auth_headers("nurse1"))
    assert answer.status_code == 201, answer.text
    text = text_of(await opened(client, answer.json()["id"], "nurse1"))
    assert "六月の面接" in text and "四月の訪問" not in text and "九月の電話" not in text
    assert "記録期間：令和8年5月1日〜令和8年9月29日" in text

    backwards = body | {"period_from": "2026-09-30", "period_to": "2026-05-01"}
    refused = await client.post("/documents", json=backwards, headers=auth_headers("nurse1"))
    assert refused.status_code == 422 and "期間の終わり" in refused.text


def code_event(version: int, value: str, label: str) -> Envelope:
    """MasterChanged of an occupation added to the コード表 in マスタ管理."""
    code = f"occupation:{value}"
    record = masters.MasterSnapshot(
        kind="code", code=code, version=version, name=label, valid_from=date(2026, 4, 1), updated_by="admin1",
        data={"list": "occupation", "value": value, "label": label, "sort_order": 999},
    )  # fmt: skip
    payload = MasterChanged(kind="code", code=code, snapshot=record)
    return Envelope.of(payload, aggregate_id=record_id("code", code), version=version, actor="admin1")


@pytest.mark.req("F03")
@pytest.mark.req("R25", partial=True)
async def test_an_occupation_added_in_masters_prints_with_its_label_on_f03(
    client: httpx.AsyncClient,
    make_patient: Callable[..., PatientSnapshot],
    publish_patient: Callable[[PatientSnapshot], Awaitable[Envelope]],
    card: dict[str, Any],
) -> None:
    value = f"fisher-{uuid.uuid4().hex[:6]}"
    patient = make_patient(**{**card, "occupation": value})
    await publish_patient(patient)

    async def arrived() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await PatientSummaryRepository(session).find(uuid.UUID(patient.id)) is not None

    await wait_for(arrived, timeout=20)
    state = client.app.state  # type: ignore[attr-defined]
    nurse = Principal(
        user_id=str(uuid.uuid4()), username="nurse", display_name="試験 保健師",
        roles=frozenset({"forms:read", "patients:read"}),
    )  # fmt: skip
    # one rolled-back transaction: a code event on NATS would reach the dev stack's services as well
    async with state.db.sessions() as session:
        documents = DocumentService(session, nurse, state.store, state.renderer)

        async def printed() -> str:
            f03 = await documents.generate(DocumentCreate(form="F03", patient_id=uuid.UUID(patient.id)))
            return text_of(await state.store.read(f03.object_key, f03.version_id, session=session))

        before = await printed()
        await on_master_changed(session, code_event(10**9 - 1, value, "漁業従事者"))
        after = await printed()
        await session.rollback()
    assert value in before  # unknown to reports: printed as the code rather than dropped
    assert "漁業従事者" in after and value not in after
