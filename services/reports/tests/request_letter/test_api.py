"""The letters between health centres (F30 依頼, F27 回答) through the reports API: the request arrives as
tbms.contacts.request.changed.v1 over NATS, each letter prints as an A4 PDF with the request's facts and people, the
wrong letter for a direction is refused, and only users who may print forms and read contacts get it."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from reports.request_letter.repository import ContactSummaryRepository, RequestSummaryRepository
from tbms_contracts.contacts import (
    ContactSnapshot,
    ContactUpdated,
    ExamSnapshot,
    ExposureSnapshot,
    RequestChanged,
    RequestItemSnapshot,
    RequestSnapshot,
)
from tbms_core.auth import Access, Area
from tbms_core.events import Envelope
from tbms_testing import auth_headers, wait_for
from tbms_testing.events import publish
from tbms_testing.keycloak_users import AccessUser, log_in_all


def snapshot(direction: str, **fields: object) -> RequestSnapshot:
    """A synthetic request as the contacts service publishes it."""
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "version": 2,
        "direction": direction,
        "status": "draft" if direction == "outgoing" else "received",
        "counterpart_name": "試験市保健所",
        "counterpart_section": "感染症担当",
        "reference": "試保第12号",
        "requested_on": date(2026, 11, 20),
        "reply_by": date(2026, 12, 25),
        "index_patient_id": str(uuid.uuid4()),
        "index_infectiousness": "high",
        "index_diagnosed_on": date(2026, 11, 10),
        "index_infectious_from": date(2026, 8, 1),
        "index_infectious_until": date(2026, 11, 10),
        "index_summary": "肺結核 喀痰塗抹陽性 空洞あり",
        "attachments": ["接触者リスト"],
        "items": [
            RequestItemSnapshot(
                contact_id=str(uuid.uuid4()),
                name="試験 遠子",
                name_kana="シケン トオコ",
                birth_date=date(1980, 4, 1),
                address="試験県試験市1-2-3",
                recommended="IGRA（最終接触から8週以降）",
                results=["2026-11-30 IGRA（QFT） 陰性"],
            )
        ],
    }
    return RequestSnapshot.model_validate(values | fields)


async def arrived(client, request: RequestSnapshot) -> None:
    """Publishes the request as contacts does and waits until reports holds it."""
    event = RequestChanged(request=request, change="created")
    await publish(Envelope.of(event, aggregate_id=request.id, version=request.version, actor="test"))

    async def held() -> bool:
        async with client.app.state.db.session() as session:
            return await RequestSummaryRepository(session).find(uuid.UUID(request.id)) is not None

    await wait_for(held, timeout=15)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def keep_png(pdf: bytes, name: str) -> None:
    """The first page as PNG under $TBMS_SHOTS, to be looked at."""
    target = os.environ.get("TBMS_SHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", "-", str(Path(target) / name)], input=pdf, check=True
        )


@pytest.mark.req("F30", partial=True)
async def test_f30_prints_the_request_with_the_index_summary_and_the_people(client) -> None:
    request = snapshot("outgoing")
    await arrived(client, request)
    answer = await client.get(f"/request-letters/{request.id}/F30", headers=auth_headers("nurse1"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    keep_png(answer.content, "f30")
    text = pdf_text(answer.content)
    for printed in (
        "結核接触者健康診断の実施について（依頼）",
        "試験市保健所長",
        "試保第12号",
        "高感染性",
        "令和8年8月1日",
        "試験 遠子",
        "試験県試験市1-2-3",
        "IGRA",
        "接触者リスト",
        "世田谷区世田谷保健所長",
        "第17条",
    ):
        assert printed.replace(" ", "") in re.sub(r"\s+", "", text), printed
    info = subprocess.run(["pdfinfo", "-"], input=answer.content, capture_output=True, check=True).stdout.decode()
    assert "595.276 x 841.89" in info  # A4


@pytest.mark.req("F27", partial=True)
async def test_f27_prints_the_reply_with_each_persons_results(client) -> None:
    request = snapshot("incoming", index_label="試験市保健所 患者A", counterpart_name="試験区保健所")
    await arrived(client, request)
    answer = await client.get(f"/request-letters/{request.id}/f27", headers=auth_headers("nurse1"))
    assert answer.status_code == 200
    text = pdf_text(answer.content)
    assert "結核接触者健康診断の結果について（回答）" in text and "試験区保健所長" in text
    assert "令和8年11月30日" in text and "陰性" in text and "2026-11-30" not in text and "患者A" in text
    keep_png(answer.content, "f27")


async def test_the_letter_of_the_other_direction_is_refused_in_japanese(client) -> None:
    request = snapshot("outgoing")
    await arrived(client, request)
    refused = await client.get(f"/request-letters/{request.id}/F27", headers=auth_headers("nurse1"))
    assert refused.status_code == 422 and "F30" in refused.json()["errors"]["form"]
    unknown = await client.get(f"/request-letters/{uuid.uuid4()}/F30", headers=auth_headers("nurse1"))
    assert unknown.status_code == 409 and "反映されていません" in unknown.json()["detail"]


async def test_a_user_who_may_not_read_contacts_gets_no_letter(client) -> None:
    request = snapshot("outgoing")
    await arrived(client, request)
    forms_only = AccessUser.of({Area.FORMS: Access.READ, Area.PATIENTS: Access.READ})
    token = (await asyncio.to_thread(log_in_all, [forms_only]))[forms_only]
    refused = await client.get(f"/request-letters/{request.id}/F30", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 403 and "接触者管理" in refused.json()["detail"]


@pytest.mark.req("R20")
@pytest.mark.req("F20", partial=True)
@pytest.mark.req("R25", partial=True)
async def test_f20_prints_the_contacts_exposure_and_screening_for_the_institution(client) -> None:
    contact = ContactSnapshot(
        id=str(uuid.uuid4()),
        version=3,
        found_on=date(2026, 10, 1),
        name="試験 陽子",
        name_kana="シケン ヨウコ",
        sex="female",
        birth_date=date(1985, 6, 1),
        address="東京都世田谷区試験町1-1",
        exposures=[
            ExposureSnapshot(
                id=str(uuid.uuid4()),
                index_patient_id=str(uuid.uuid4()),
                setting="workplace",
                first_contact_on=date(2026, 8, 1),
                last_contact_on=date(2026, 9, 10),
                hours=120,
                infectiousness="high",
            ),
            ExposureSnapshot(  # a 接触の場 added in マスタ管理: printed by the label its snapshot carries
                id=str(uuid.uuid4()),
                index_patient_id=str(uuid.uuid4()),
                setting="ship_x",
                setting_label="船舶",
                hours=3,
            ),
        ],
        exams=[
            ExamSnapshot(
                id=str(uuid.uuid4()),
                version=1,
                kind="igra_qft",
                status="done",
                done_on=date(2026, 11, 20),
                result="positive",
                value="0.85",
            )
        ],
    )
    await publish(Envelope.of(ContactUpdated(contact=contact), aggregate_id=contact.id, version=3, actor="test"))

    async def held() -> bool:
        async with client.app.state.db.session() as session:
            return await ContactSummaryRepository(session).find(uuid.UUID(contact.id)) is not None

    await wait_for(held, timeout=15)
    answer = await client.get(
        f"/contact-letters/{contact.id}/F20",
        params={"institution": "試験総合病院", "doctor": "呼吸器内科 担当医"},
        headers=auth_headers("nurse1"),
    )
    assert answer.status_code == 200, answer.text
    keep_png(answer.content, "f20")
    text = re.sub(r"\s+", "", pdf_text(answer.content))
    for printed in (
        "情報提供書",
        "試験総合病院御中",
        "試験陽子",
        "昭和60年6月1日",
        "職場",
        "船舶",
        "120時間",
        "高感染性",
        "IGRA（QFT）",
        "令和8年11月20日",
        "陽性",
        "0.85",
    ):
        assert printed in text, printed
    # filed with the contact (R20): listed on the contact's documents, the same bytes as shown
    listed = await client.get(
        "/documents", params={"owner_type": "contact", "owner_id": contact.id}, headers=auth_headers("nurse1")
    )
    [filed] = listed.json()["items"]
    assert (filed["id"], filed["kind"], filed["owner_label"]) == (answer.headers["x-document-ids"], "F20", "接触者")
    content = await client.get(f"/documents/{filed['id']}/content", headers=auth_headers("nurse1"))
    assert content.content == answer.content
    missing = await client.get(f"/contact-letters/{uuid.uuid4()}/F20?institution=x", headers=auth_headers("nurse1"))
    assert missing.status_code == 409
