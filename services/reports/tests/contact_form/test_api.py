"""The contact screening forms through the reports API: the contact arrives as the contacts service publishes it
(tbms.contacts.contact.updated.v1 over NATS), F18 勧告書, F19 受診票, F25 受付簿 and F05 家族・接触者健診実施状況
print as A4 PDFs with the stored facts, and a form whose required items are missing is refused with the list."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import uuid
from datetime import date, datetime, time
from pathlib import Path

import pytest
from reports.request_letter.repository import ContactSummaryRepository
from tbms_contracts.contacts import (
    ContactSnapshot,
    ContactUpdated,
    ExamSnapshot,
    ExposureSnapshot,
    RecommendationSnapshot,
)
from tbms_core.auth import Access, Area
from tbms_core.clock import JST
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish
from tbms_testing.keycloak_users import AccessUser, log_in_all

PLACE = "世田谷保健所"


def contact(index_id: str, name: str = "試験 陽子", **fields: object) -> ContactSnapshot:
    """A synthetic contact as the contacts service publishes it."""
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "version": 4,
        "found_on": date(2026, 10, 1),
        "name": name,
        "name_kana": "シケン ヨウコ",
        "sex": "female",
        "birth_date": date(1985, 6, 1),
        "address": "東京都世田谷区試験町1-1",
        "priority": "top",
        "outcome": "ltbi_treatment",
        "exposures": [
            ExposureSnapshot(
                id=str(uuid.uuid4()),
                index_patient_id=index_id,
                setting="household",
                relation="妻",
                last_contact_on=date(2026, 9, 10),
                infectiousness="high",
            )
        ],
        "exams": [
            ExamSnapshot(
                id=str(uuid.uuid4()),
                version=3,
                kind="igra_qft",
                status="done",
                done_on=date(2026, 11, 20),
                result="positive",
                value="0.85",
                appointment_on=date(2026, 11, 20),
                appointment_time=time(10, 30),
                appointment_place=PLACE,
                received_at=datetime(2026, 11, 20, 10, 21, tzinfo=JST),
                received_on=date(2026, 11, 20),
                reception_place=PLACE,
                receipt_no=7,
                received_by="試験 保健師",
            )
        ],
        "recommendations": [
            RecommendationSnapshot(
                id=str(uuid.uuid4()),
                version=1,
                issued_on=date(2026, 11, 5),
                delivery="mail",
                exams=["igra_qft", "xray"],
                deadline_on=date(2026, 12, 4),
            )
        ],
    }
    return ContactSnapshot.model_validate(values | fields)


async def arrived(client, snapshot: ContactSnapshot) -> None:
    """Publishes the contact as contacts does and waits until reports holds it."""
    event = ContactUpdated(contact=snapshot)
    await publish(Envelope.of(event, aggregate_id=snapshot.id, version=snapshot.version, actor="test"))

    async def held() -> bool:
        async with client.app.state.db.session() as session:
            return await ContactSummaryRepository(session).find(uuid.UUID(snapshot.id)) is not None

    await wait_for(held, timeout=15)


def pdf_text(pdf: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", text.decode())


def pages(pdf: bytes) -> tuple[int, str]:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    return count, re.search(r"Page size:\s+(.*)", info).group(1)  # type: ignore[union-attr]


def keep_png(pdf: bytes, name: str) -> None:
    """The first page as PNG under $TBMS_SHOTS, to be looked at."""
    target = os.environ.get("TBMS_SHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", "-", str(Path(target) / name)], input=pdf, check=True
        )


def assert_a4(pdf: bytes) -> None:
    count, size = pages(pdf)
    assert count >= 1 and "595" in size and "841" in size, size


@pytest.mark.req("F18", partial=True)
async def test_f18_prints_the_recommendation_citing_article_17_with_the_exams_and_deadline(client) -> None:
    person = contact(str(uuid.uuid4()))
    await arrived(client, person)
    answer = await client.get(f"/contact-forms/{person.id}/F18", headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f18")
    text = pdf_text(answer.content)
    for printed in (
        "勧告書",
        "第17条第1項",
        "東京都世田谷区試験町1-1",
        "試験陽子様",
        "令和8年11月5日",
        "IGRA（QFT）、胸部X線",
        "令和8年12月4日",
        "世田谷区世田谷保健所長",
        "様式F18",
        "（参考）感染症の予防及び感染症の患者に対する医療に関する法律（抄）",
        "第十七条都道府県知事は",  # the article quoted: the 勧告 (第1項) and the examination if not followed (第2項)
        "健康診断を受けさせるべきことを勧告することができる。",
        "当該職員に健康診断を行わせることができる。",
    ):
        assert printed in text, printed
    assert "保護者様" not in text and "保護者であるあなた" not in text, "an adult is addressed in person"


@pytest.mark.req("F18", partial=True)
async def test_f18_for_a_child_is_addressed_to_the_guardian(client) -> None:
    child = contact(str(uuid.uuid4()), name="試験 幼子", birth_date=date(2022, 4, 1))
    await arrived(client, child)
    answer = await client.get(f"/contact-forms/{child.id}/F18", headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    keep_png(answer.content, "f18-child")
    text = pdf_text(answer.content)
    assert "試験幼子様保護者様" in text and "健康診断を受けさせるよう勧告します" in text


@pytest.mark.req("F18", partial=True)
async def test_f18_without_a_recommendation_or_address_is_refused_with_what_is_missing(client) -> None:
    person = contact(str(uuid.uuid4()), address="", recommendations=[])
    await arrived(client, person)
    answer = await client.get(f"/contact-forms/{person.id}/F18", headers=auth_headers("nurse1"))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert set(errors) == {"recommendation", "address", "exam_list", "deadline"}
    assert "住所" in answer.json()["detail"] and "受診期限" in answer.json()["detail"]


@pytest.mark.req("F18", partial=True)
async def test_f18_of_a_cancelled_recommendation_is_refused(client) -> None:
    person = contact(str(uuid.uuid4()))
    cancelled = person.recommendations[0].model_copy(
        update={"status": "cancelled", "cancelled_on": date(2026, 11, 6), "cancel_reason": "対象者の誤り"}
    )
    person = person.model_copy(update={"recommendations": [cancelled]})
    await arrived(client, person)
    latest = await client.get(f"/contact-forms/{person.id}/F18", headers=auth_headers("nurse1"))
    chosen = await client.get(
        f"/contact-forms/{person.id}/F18", params={"record_id": cancelled.id}, headers=auth_headers("nurse1")
    )
    for refused in (latest, chosen):
        assert refused.status_code == 422, refused.text
        assert "recommendation" in refused.json()["errors"]


@pytest.mark.req("F19", partial=True)
async def test_f19_prints_the_slip_with_the_appointment_and_receipt_number(client) -> None:
    person = contact(str(uuid.uuid4()))
    await arrived(client, person)
    answer = await client.get(f"/contact-forms/{person.id}/F19", headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f19")
    text = pdf_text(answer.content)
    for printed in ("受診票", "試験陽子", "昭和60年6月1日", "IGRA（QFT）", "令和8年11月20日", "10:30", PLACE, "7"):
        assert printed in text, printed
    unbooked = contact(str(uuid.uuid4()), exams=[])
    await arrived(client, unbooked)
    refused = await client.get(f"/contact-forms/{unbooked.id}/F19", headers=auth_headers("nurse1"))
    assert refused.status_code == 422 and {"appointment_on", "place"} <= set(refused.json()["errors"])


@pytest.mark.req("F25", partial=True)
async def test_f25_lists_the_days_reception_at_the_place_in_receipt_order(client) -> None:
    place = f"試験会場{uuid.uuid4().hex[:6]}"
    day = date(2026, 11, 20)
    people = []
    for no, name in ((2, "試験 次子"), (1, "試験 一子")):
        exam = ExamSnapshot(
            id=str(uuid.uuid4()),
            version=2,
            kind="xray",
            status="planned",
            appointment_on=day,
            appointment_time=time(9, 0),
            appointment_place=place,
            received_at=datetime(2026, 11, 20, 9, no, tzinfo=JST),
            received_on=day,
            reception_place=place,
            receipt_no=no,
            received_by="試験 受付",
        )
        people.append(contact(str(uuid.uuid4()), name=name, exams=[exam]))
    elsewhere = contact(str(uuid.uuid4()), name="試験 別所")  # received at another place: not on this register
    for person in [*people, elsewhere]:
        await arrived(client, person)
    answer = await client.get(
        "/reception-registers/F25", params={"day": day.isoformat(), "place": place}, headers=auth_headers("nurse1")
    )
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f25")
    text = pdf_text(answer.content)
    assert "受付簿" in text and place in text and "令和8年11月20日" in text
    assert text.index("試験一子") < text.index("試験次子") and "試験別所" not in text
    assert "09:01" in text and "胸部X線" in text and "受付人数：2人" in text
    empty = await client.get(
        "/reception-registers/F25", params={"day": "2026-01-05", "place": place}, headers=auth_headers("nurse1")
    )
    assert empty.status_code == 422 and "受付" in empty.json()["detail"]


@pytest.mark.req("F05", partial=True)
async def test_f05_prints_each_contact_of_the_index_patient_with_exams_and_results(
    client, make_patient, publish_patient, summary_of
) -> None:
    index = make_patient(name="試験 発端")
    await publish_patient(index)

    async def known() -> bool:
        return await summary_of(index.id) is not None

    await wait_for(known, timeout=15)
    mine = [contact(index.id), contact(index.id, name="試験 未検", exams=[], outcome="", priority="low")]
    other = contact(str(uuid.uuid4()), name="試験 他人")
    for person in [*mine, other]:
        await arrived(client, person)
    answer = await client.get(f"/index-contacts/{index.id}/F05", headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f05")
    text = pdf_text(answer.content)
    for printed in (
        "家族・接触者健診実施状況",
        "試験発端",
        "接触者数：2人",
        "試験陽子",
        "同居家族",
        "妻",
        "令和8年9月10日",
        "最優先",
        "IGRA（QFT）",
        "陽性",
        "0.85",
        "LTBI（治療）",
        "試験未検",
        "未実施",
        "高感染性",
    ):
        assert printed in text, printed
    assert "試験他人" not in text
    nobody = make_patient(name="試験 単独")
    await publish_patient(nobody)

    async def also_known() -> bool:
        return await summary_of(nobody.id) is not None

    await wait_for(also_known, timeout=15)
    refused = await client.get(f"/index-contacts/{nobody.id}/F05", headers=auth_headers("nurse1"))
    assert refused.status_code == 422 and "接触者" in refused.json()["detail"]


async def test_a_user_who_may_not_read_contacts_gets_no_contact_form(client) -> None:
    person = contact(str(uuid.uuid4()))
    await arrived(client, person)
    forms_only = AccessUser.of({Area.FORMS: Access.READ, Area.PATIENTS: Access.READ})
    token = (await asyncio.to_thread(log_in_all, [forms_only]))[forms_only]
    for url in (
        f"/contact-forms/{person.id}/F18",
        f"/contact-forms/{person.id}/F19",
        f"/contact-letters/F18?contact_id={person.id}",
    ):
        refused = await client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert refused.status_code == 403 and "接触者管理" in refused.json()["detail"]
    unknown = await client.get(f"/contact-forms/{person.id}/F99", headers=auth_headers("nurse1"))
    assert unknown.status_code == 422


@pytest.mark.req("F21", partial=True)
async def test_f21_reports_the_exams_done_with_results_and_the_judgement(client) -> None:
    tst = ExamSnapshot(
        id=str(uuid.uuid4()),
        version=1,
        kind="tst",
        status="done",
        done_on=date(2026, 11, 21),
        erythema_mm=25,
        induration_mm=12,
        result="positive",
    )
    planned = ExamSnapshot(id=str(uuid.uuid4()), version=1, kind="xray", status="planned", planned_on=date(2027, 3, 1))
    person = contact(str(uuid.uuid4()), outcome_on=date(2026, 11, 25))
    person = person.model_copy(update={"exams": [*person.exams, tst, planned]})
    await arrived(client, person)
    answer = await client.get(f"/contact-forms/{person.id}/F21", headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f21")
    text = pdf_text(answer.content)
    for printed in (
        "健診結果報告書",
        "試験陽子",
        "同居家族（妻）",
        "IGRA（QFT）",
        "0.85",
        "発赤25mm・硬結12mm",
        "LTBI（治療）",
        "令和8年11月25日",
    ):
        assert printed in text, printed
    assert "令和9年3月1日" not in text, "an exam only planned is not a result"
    unjudged = contact(str(uuid.uuid4()), outcome="", exams=[])
    await arrived(client, unjudged)
    refused = await client.get(f"/contact-forms/{unjudged.id}/F21", headers=auth_headers("nurse1"))
    assert refused.status_code == 422 and {"exams", "outcome"} == set(refused.json()["errors"])


@pytest.mark.req("F23", partial=True)
async def test_f23_is_the_sheet_of_the_examination_with_the_person_exposure_and_exams(client) -> None:
    person = contact(str(uuid.uuid4()), risk_factors=["diabetes"], symptomatic=True, affiliation="試験株式会社")
    await arrived(client, person)
    answer = await client.get(f"/contact-forms/{person.id}/F23", headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    assert_a4(answer.content)
    keep_png(answer.content, "f23")
    text = pdf_text(answer.content)
    for printed in (
        "健診実施票",
        "試験陽子",
        "試験株式会社",
        "糖尿病",
        "症状あり",
        "最優先",
        "同居家族（妻）",
        "IGRA（QFT）",
        "医師所見",
    ):
        assert printed in text, printed
    bare = contact(str(uuid.uuid4()), birth_date=None, exposures=[], exams=[])
    await arrived(client, bare)
    refused = await client.get(f"/contact-forms/{bare.id}/F23", headers=auth_headers("nurse1"))
    assert refused.status_code == 422 and {"birth", "exposures", "exams"} == set(refused.json()["errors"])


@pytest.mark.req("F18", "R13", partial=True)
async def test_f18_of_many_contacts_is_one_merged_pdf_with_each_letter_filed_with_its_contact(client) -> None:
    index_id = str(uuid.uuid4())
    people = [contact(index_id, name=name) for name in ("試験 一子", "試験 二子", "試験 三子")]
    for person in people:
        await arrived(client, person)
    params = [("contact_id", person.id) for person in people]
    answer = await client.get("/contact-letters/F18", params=params, headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    count, size = pages(answer.content)
    assert count == 3 and "595" in size, "one A4 page a letter"
    text = pdf_text(answer.content)
    assert text.count("結核に係る健康診断の勧告書あなたは") == 3 and text.count("第17条第1項") >= 3
    assert text.count("様式F18結核に係る健康診断の勧告書第1版") == 3, "each page's footer names the form"
    assert text.index("試験一子") < text.index("試験二子") < text.index("試験三子"), "in the order given"
    filed = answer.headers["x-document-ids"].split(",")
    assert len(filed) == 3
    for person, document_id in zip(people, filed, strict=True):
        listed = await client.get(
            "/documents", params={"owner_type": "contact", "owner_id": person.id}, headers=auth_headers("nurse1")
        )
        assert [(d["id"], d["kind"]) for d in listed.json()["items"]] == [(document_id, "F18")]

    no_letter = contact(index_id, name="試験 未勧告", recommendations=[])
    no_address = contact(index_id, name="試験 住所無", address="")
    for person in (no_letter, no_address):
        await arrived(client, person)
    params = [("contact_id", p.id) for p in (people[0], no_letter, no_address)]
    refused = await client.get("/contact-letters/F18", params=params, headers=auth_headers("nurse1"))
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "試験 未勧告：勧告（勧告日・検査・受診期限）" in detail and "試験 住所無：住所（あて先）" in detail
    assert "試験 一子" not in detail
    listed = await client.get(
        "/documents", params={"owner_type": "contact", "owner_id": people[0].id}, headers=auth_headers("nurse1")
    )
    assert len(listed.json()["items"]) == 1, "nothing printed when one contact lacks an item"
    none = await client.get("/contact-letters/F18", headers=auth_headers("nurse1"))
    assert none.status_code == 422
