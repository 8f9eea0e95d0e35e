"""F29 管理検診お知らせ for a contact's screening exam through the reports API: the contact arrives over NATS as
contacts publishes it, the letter prints the exam, its appointment (day and time) and place with the masters'
letterhead, is filed with the contact, and is refused in Japanese when no exam is planned (F29, R20)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import uuid
from datetime import date, time

import httpx
import pytest
from reports.contact_notice.service import ContactNoticeService
from reports.master_snapshot.consumers import on_master_changed
from reports.request_letter.repository import ContactSummaryRepository
from tbms_contracts import masters
from tbms_contracts.contacts import ContactSnapshot, ContactUpdated, ExamSnapshot
from tbms_contracts.masters import MasterChanged, record_id
from tbms_core.auth import Access, Area, Principal
from tbms_core.events import Envelope
from tbms_testing import LiveAuthHeaders, wait_for
from tbms_testing.events import publish
from tbms_testing.keycloak_users import AccessUser, log_in_all

NURSE = LiveAuthHeaders("nurse1")  # a fresh token at each use: the module may run long after import


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", "", out)


def exam(kind: str, label: str, status: str = "planned", **fields: object) -> ExamSnapshot:
    return ExamSnapshot.model_validate(
        {"id": str(uuid.uuid4()), "version": 1, "kind": kind, "kind_label": label, "status": status} | fields
    )


async def arrived(client: httpx.AsyncClient, *exams: ExamSnapshot) -> ContactSnapshot:
    """A synthetic contact with the given exams, published as contacts does; waits until reports holds it."""
    contact = ContactSnapshot(
        id=str(uuid.uuid4()),
        version=4,
        found_on=date(2026, 10, 1),
        name="見本 接子",
        name_kana="ミホン セツコ",
        sex="female",
        birth_date=date(1990, 2, 3),
        address="東京都見本区見本町2-3-4",
        exams=list(exams),
    )
    await publish(Envelope.of(ContactUpdated(contact=contact), aggregate_id=contact.id, version=4, actor="test"))

    async def held() -> bool:
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            return await ContactSummaryRepository(session).find(uuid.UUID(contact.id)) is not None

    await wait_for(held, timeout=15)
    return contact


@pytest.mark.req("R20")
@pytest.mark.req("F29", partial=True)
async def test_f29_prints_a_contacts_exam_with_its_appointment_and_place_and_is_filed_with_the_contact(
    client: httpx.AsyncClient,
) -> None:
    done = exam("igra_qft", "IGRA（QFT）", "done", done_on=date(2026, 11, 2), result="negative")
    later = exam("xray", "胸部X線", planned_on=date(2027, 9, 1))
    booked = exam(
        "xray",
        "胸部X線",
        planned_on=date(2027, 3, 1),
        appointment_on=date(2027, 3, 4),
        appointment_time=time(14, 30),
        appointment_place="見本保健所 2階 検診室",
    )
    contact = await arrived(client, done, later, booked)
    answer = await client.get(f"/contact-letters/{contact.id}/F29", headers=NURSE)
    assert answer.status_code == 200, answer.text
    text = text_of(answer.content)
    for printed in (
        "管理検診のお知らせ",
        "見本接子様",
        "東京都見本区見本町2-3-4",
        "接触者健康診断胸部X線（予定日令和9年3月1日（2027年3月1日））",
        "令和9年3月4日（2027年3月4日）14:30",
        "見本保健所2階検診室",
        "第17条",
    ):
        assert printed in text, printed
    assert "第53条の13" not in text and "登録番号" not in text
    listed = await client.get("/documents", params={"owner_type": "contact", "owner_id": contact.id}, headers=NURSE)
    [filed] = listed.json()["items"]
    assert (filed["id"], filed["kind"], filed["owner_label"]) == (answer.headers["x-document-ids"], "F29", "接触者")
    content = await client.get(f"/documents/{filed['id']}/content", headers=NURSE)
    assert content.content == answer.content
    # the exam chosen when printing: the later one, with no appointment yet (a line to fill in)
    chosen = await client.get(f"/contact-letters/{contact.id}/F29", params={"exam_id": later.id}, headers=NURSE)
    assert chosen.status_code == 200
    chosen_text = text_of(chosen.content)
    assert "予定日令和9年9月1日" in chosen_text and "日時はお電話でご相談ください" in chosen_text
    assert "14:30" not in chosen_text


async def test_f29_is_refused_in_japanese_without_a_planned_exam(client: httpx.AsyncClient) -> None:
    done = exam("igra_qft", "IGRA（QFT）", "done", done_on=date(2026, 11, 2), result="negative")
    contact = await arrived(client, done)
    refused = await client.get(f"/contact-letters/{contact.id}/F29", headers=NURSE)
    assert refused.status_code == 422 and "お知らせする健診がありません" in refused.json()["errors"]["exam_id"]
    of_done = await client.get(f"/contact-letters/{contact.id}/F29", params={"exam_id": done.id}, headers=NURSE)
    assert of_done.status_code == 422
    listed = await client.get("/documents", params={"owner_type": "contact", "owner_id": contact.id}, headers=NURSE)
    assert listed.json()["items"] == []  # nothing filed
    unknown = await client.get(f"/contact-letters/{uuid.uuid4()}/F29", headers=NURSE)
    assert unknown.status_code == 409 and "反映されていません" in unknown.json()["detail"]
    forms_only = AccessUser.of({Area.FORMS: Access.READ, Area.PATIENTS: Access.READ})
    token = (await asyncio.to_thread(log_in_all, [forms_only]))[forms_only]
    denied = await client.get(f"/contact-letters/{contact.id}/F29", headers={"Authorization": f"Bearer {token}"})
    assert denied.status_code == 403 and "接触者管理" in denied.json()["detail"]


@pytest.mark.req("F29", "R25", partial=True)
async def test_a_contacts_f29_carries_the_masters_letterhead(client: httpx.AsyncClient) -> None:
    booked = exam("xray", "胸部X線", planned_on=date(2027, 3, 1), appointment_on=date(2027, 3, 4))
    contact = await arrived(client, booked)
    state = client.app.state  # type: ignore[attr-defined]
    clerk = Principal(
        user_id=str(uuid.uuid4()), username="clerk", display_name="見本 事務",
        roles=frozenset({"forms:read", "contacts:read"}),
    )  # fmt: skip
    record = masters.MasterSnapshot(
        kind="letterhead", code="self", version=10**9 - 3, name="見本第三保健所", valid_from=date(2026, 4, 1),
        updated_by="admin1", data={"director_name": "見本 三郎", "postal_code": "154-0000",
                                   "address": "東京都見本区見本三丁目3番3号", "phone": "03-0000-3333"},
    )  # fmt: skip
    event = MasterChanged(kind="letterhead", code="self", snapshot=record)
    envelope = Envelope.of(event, aggregate_id=record_id("letterhead", "self"), version=record.version, actor="admin1")
    # one rolled-back transaction: a letterhead event on NATS would reach the dev stack's reports as well
    async with state.db.sessions() as session:
        await on_master_changed(session, envelope)
        printed, _ = await ContactNoticeService(session, clerk, state.store, state.renderer).print(
            uuid.UUID(contact.id), None
        )
        await session.rollback()
    text = text_of(printed.pdf)
    assert "見本第三保健所長" in text and "見本三郎" in text and "03-0000-3333" in text
