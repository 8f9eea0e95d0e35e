"""The contact screening forms are filed as documents of their record like every other printed form: a contact's
forms with the contact, F05 with the index patient, F25 with its screening day; the record's documents list them
with form, template version, data version, who printed and when, the stored PDF is the one shown, and each form
carries the letterhead masters last sent (name, 所長, address, phone, 問い合わせ先)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time

import pytest
from reports.batch.sources import BatchSources
from reports.contact_form.service import ContactFormService
from reports.document.filing import screening_day_id
from reports.forms.spec import Genre
from reports.master_snapshot.consumers import on_master_changed
from tbms_contracts import masters
from tbms_contracts.contacts import ExamSnapshot
from tbms_contracts.masters import MasterChanged, record_id
from tbms_core.auth import Access, Area, Principal
from tbms_core.clock import JST
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.keycloak_users import AccessUser, log_in_all

from .test_api import PLACE, arrived, contact, pdf_text
from .test_results import screened, xray

DAY = date(2026, 11, 20)


async def listed(client, query: dict[str, str]) -> list[dict[str, object]]:
    answer = await client.get("/documents", params=query, headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def stored(client, document_id: str) -> bytes:
    answer = await client.get(f"/documents/{document_id}/content", headers=auth_headers("nurse1"))
    assert answer.status_code == 200, answer.text
    return answer.content


@pytest.mark.req("R18", "F18", "F19", "F21", "F23", partial=True)
async def test_each_form_of_a_contact_is_filed_with_the_contact_and_listed(client) -> None:
    person = contact(str(uuid.uuid4()), outcome_on=date(2026, 11, 25), symptomatic=True)
    await arrived(client, person)
    filed: dict[str, str] = {}
    for form in ("F18", "F19", "F21", "F23"):
        answer = await client.get(f"/contact-forms/{person.id}/{form}", headers=auth_headers("nurse1"))
        assert answer.status_code == 200, answer.text
        filed[form] = answer.headers["x-document-ids"]
        assert await stored(client, filed[form]) == answer.content, "the PDF shown is the PDF stored"
    documents = await listed(client, {"owner_type": "contact", "owner_id": person.id})
    assert {d["kind"]: d["id"] for d in documents} == filed
    for document in documents:
        assert document["owner_type"] == "contact" and document["owner_label"] == "接触者"
        assert document["data_version"] == "c4" and document["template_version"]
        assert document["created_by_name"] and document["created_at"] and document["patient_id"] is None
    titles = {d["kind"]: d["title"] for d in documents}
    assert titles["F18"] == "結核に係る健康診断の勧告書" and titles["F23"] == "結核接触者健康診断 実施票"
    again = await client.get(f"/contact-forms/{person.id}/F18", headers=auth_headers("nurse1"))
    assert again.status_code == 200  # printed again: a second document, the first kept
    assert len(await listed(client, {"owner_type": "contact", "owner_id": person.id})) == 5


@pytest.mark.req("R18", "F05", "F25", partial=True)
async def test_f05_is_filed_with_the_index_patient_and_f25_with_its_screening_day(
    client, make_patient, publish_patient, summary_of
) -> None:
    index = make_patient(name="試験 綴子")
    await publish_patient(index)

    async def known() -> bool:
        return await summary_of(index.id) is not None

    await wait_for(known, timeout=15)
    place = f"試験会場{uuid.uuid4().hex[:6]}"
    exam = ExamSnapshot(
        id=str(uuid.uuid4()), version=1, kind="xray", status="planned", appointment_on=DAY,
        appointment_time=time(9, 0), appointment_place=place, received_at=datetime(2026, 11, 20, 9, 5, tzinfo=JST),
        received_on=DAY, reception_place=place, receipt_no=1, received_by="試験 受付",
    )  # fmt: skip
    person = contact(index.id, exams=[exam])
    await arrived(client, person)

    f05 = await client.get(f"/index-contacts/{index.id}/F05", headers=auth_headers("nurse1"))
    assert f05.status_code == 200, f05.text
    of_patient = await listed(client, {"patient_id": index.id})
    assert [(d["id"], d["kind"], d["owner_type"]) for d in of_patient] == [
        (f05.headers["x-document-ids"], "F05", "patient")
    ]
    assert of_patient[0]["data_version"].startswith(f"p{index.version}+n1+")

    f25 = await client.get(
        "/reception-registers/F25", params={"day": DAY.isoformat(), "place": place}, headers=auth_headers("nurse1")
    )
    assert f25.status_code == 200, f25.text
    day_id = str(screening_day_id(DAY, place))
    of_day = await listed(client, {"owner_type": "screening_day", "owner_id": day_id})
    assert [(d["id"], d["kind"], d["owner_label"]) for d in of_day] == [
        (f25.headers["x-document-ids"], "F25", "健診日")
    ]
    assert await stored(client, f25.headers["x-document-ids"]) == f25.content
    by_day_and_place = await listed(client, {"owner_type": "screening_day", "day": DAY.isoformat(), "place": place})
    assert [d["id"] for d in by_day_and_place] == [f25.headers["x-document-ids"]]
    other_day = str(screening_day_id(date(2026, 11, 21), place))
    assert await listed(client, {"owner_type": "screening_day", "owner_id": other_day}) == []
    # a refused form files nothing
    empty = await client.get(
        "/reception-registers/F25", params={"day": "2026-01-05", "place": place}, headers=auth_headers("nurse1")
    )
    assert empty.status_code == 422
    none_day = str(screening_day_id(date(2026, 1, 5), place))
    assert await listed(client, {"owner_type": "screening_day", "owner_id": none_day}) == []
    # the register holds the contacts received: listing or opening it needs 接触者管理 besides 帳票
    forms_only = AccessUser.of({Area.FORMS: Access.READ, Area.PATIENTS: Access.READ})
    token = (await asyncio.to_thread(log_in_all, [forms_only]))[forms_only]
    stranger = {"Authorization": f"Bearer {token}"}
    query = {"owner_type": "screening_day", "owner_id": day_id}
    assert (await client.get("/documents", params=query, headers=stranger)).status_code == 403
    opened = await client.get(f"/documents/{f25.headers['x-document-ids']}/content", headers=stranger)
    assert opened.status_code == 403 and "接触者管理" in opened.json()["detail"]


def letterhead_event(version: int) -> Envelope:
    """MasterChanged of the letterhead as masters sends it after an administrator changed it."""
    record = masters.MasterSnapshot(
        kind="letterhead", code="self", version=version, name="見本接触保健所", valid_from=date(2026, 4, 1),
        updated_by="admin1",
        data={"director_title": "見本接触保健所長", "director_name": "見本 三郎", "postal_code": "154-0099",
              "address": "東京都見本区接触町二丁目2番2号", "phone": "03-0000-2222",
              "contact_text": "感染症対策係　内線2222"},
    )  # fmt: skip
    payload = MasterChanged(kind="letterhead", code="self", snapshot=record)
    return Envelope.of(payload, aggregate_id=record_id("letterhead", "self"), version=version, actor="admin1")


@pytest.mark.req("R18", "F05", "F18", "F19", "F21", "F22", "F23", "F24", "F25", "F26", partial=True)
async def test_every_contact_form_carries_the_letterhead_masters_sent(
    client, make_patient, publish_patient, summary_of
) -> None:
    index = make_patient(name="試験 頭子")
    await publish_patient(index)

    async def known() -> bool:
        return await summary_of(index.id) is not None

    await wait_for(known, timeout=15)
    person = screened(index.id)
    await arrived(client, person)
    xray_day, xray_place = date(2026, 11, 26), f"見本会場{uuid.uuid4().hex[:6]}"
    xrayed = contact(index.id, exams=[xray(xray_day, receipt_no=1, reception_place=xray_place)])
    await arrived(client, xrayed)
    booked = next(x for x in person.exams if x.appointment_on)
    state = client.app.state
    clerk = Principal(
        user_id=str(uuid.uuid4()), username="clerk", display_name="試験 事務",
        roles=frozenset({"forms:read", "patients:read", "contacts:read"}),
    )  # fmt: skip
    # one rolled-back transaction: a letterhead event on NATS would reach the dev stack's reports as well
    async with state.db.sessions() as session:
        forms = ContactFormService(session, clerk, state.store, state.renderer)
        await on_master_changed(session, letterhead_event(10**9 - 1))
        texts = {}
        for form in ("F18", "F19", "F21", "F22", "F23", "F24", "F26"):
            printed, _ = await forms.contact_form(uuid.UUID(person.id), form, None)
            texts[form] = pdf_text(printed.pdf)
        texts["F05"] = pdf_text((await forms.index_status(uuid.UUID(index.id)))[0].pdf)
        texts["F25"] = pdf_text((await forms.reception_register(DAY, PLACE))[0].pdf)
        texts["F24 健診日"] = pdf_text((await forms.day_irradiation_record(xray_day, xray_place))[0].pdf)
        merged = (await forms.recommendation_letters([uuid.UUID(person.id), uuid.UUID(xrayed.id)]))[0]
        texts["F18 まとめて"] = pdf_text(merged.pdf)
        # a form of a screening day's batch carries it too
        batch = BatchSources(session, clerk, state.store, state.renderer)
        job = await batch.job(Genre.CONTACT_SCREENING, {"day": DAY.isoformat()}, [person.id, "F19", booked.id], DAY)
        texts["F19 一括印刷"] = pdf_text(await job.render())
        await session.rollback()
    for form, text in texts.items():
        for printed in ("見本接触保健所長", "見本三郎", "東京都見本区接触町二丁目2番2号", "03-0000-2222"):
            assert printed in text, (form, printed, text[:400])
        if not form.startswith("F24"):  # the 照射録 is the health center's own record: nobody to ask
            assert "問い合わせ先：感染症対策係内線2222" in text, (form, text[-300:])
        assert "世田谷区世田谷保健所長" not in text, form
    assert "見本接触保健所長見本三郎" in texts["F18"]  # the 勧告書 is signed by the head named in masters
    assert texts["F18 まとめて"].count("見本接触保健所長見本三郎") == 2, "each letter of a merged print"
