"""The contact page's screening paperwork (R13, R15) through the real contacts service (in-process, on a fresh
database): a 17条 勧告 entered in 和暦 is stored and listed with its print link, wrong input comes back beside the
field with nothing stored, an exam's appointment and reception are recorded, and F18/F19/F05/F25 are relayed from
reports or refused with reports' Japanese message."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
import respx
from contacts.index_case.repository import IndexCaseRepository
from contacts.main import create_app
from tbms_testing import auth_headers, service_client

from ...conftest import REPORTS, csrf_token, text_of

FORWARDED = ("content-type", "accept")


@pytest.fixture(scope="module")
async def contacts_api() -> AsyncIterator[httpx.AsyncClient]:
    """The contacts service, in-process, against the real PostgreSQL and NATS."""
    async with service_client("contacts", create_app) as api:
        yield api


@pytest.fixture
def real_contacts(backends: respx.MockRouter, contacts_api: httpx.AsyncClient) -> httpx.AsyncClient:
    """Sends the gateway's calls to contacts to the real service, as nurse1 (Keycloak itself is passed through)."""
    backends.route(host="127.0.0.1", port=58080).pass_through()

    async def forward(request: httpx.Request) -> httpx.Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
        answer = await contacts_api.request(
            request.method,
            request.url.raw_path.decode(),
            content=request.content,
            headers=headers | auth_headers("nurse1"),
        )
        return httpx.Response(answer.status_code, content=answer.content, headers={"content-type": "application/json"})

    backends.route(host="contacts.test").mock(side_effect=forward)
    return contacts_api


async def a_contact(api: httpx.AsyncClient) -> dict:
    """A synthetic contact of a synthetic index patient, with an IGRA planned."""
    index_id = uuid.uuid4()
    async with api.app.state.db.session() as session:  # type: ignore[attr-defined]
        fields = {
            "version": 1,
            "registration_no": f"9{index_id.int % 10**8:08d}",
            "name": "試験 発端",
            "name_kana": "シケン ホッタン",
            "birth_date": date(1970, 3, 1),
            "district": "世田谷",
            "status": "active",
        }
        await IndexCaseRepository(session).apply(index_id, fields)
    exposure = {"index_patient_id": str(index_id), "setting": "household", "last_contact_on": "2026-11-01"}
    body = {
        "name": "試験 花子",
        "name_kana": "シケン ハナコ",
        "address": "東京都世田谷区試験町1-1",
        "exposures": [exposure],
    }
    contact = (await api.post("/contacts", json=body, headers=auth_headers("nurse1"))).json()
    exam = await api.post(
        f"/contacts/{contact['id']}/exams",
        json={"kind": "igra_qft", "planned_on": "2026-12-28"},
        headers=auth_headers("nurse1"),
    )
    assert exam.status_code == 201, exam.text
    return {"contact": contact, "exam": exam.json()}


@pytest.mark.req("R15", partial=True)
async def test_a_recommendation_typed_in_wareki_is_stored_and_listed_with_its_f18_link(
    browser: httpx.AsyncClient, real_contacts: httpx.AsyncClient
) -> None:
    made = await a_contact(real_contacts)
    page = f"/contacts/{made['contact']['id']}"
    data = {
        "csrf_token": csrf_token((await browser.get(page)).text),
        "issued_on": "R8.12.1",
        "delivery": "hand",
        "exams": ["igra_qft", "xray"],
        "deadline_on": "R8.12.28",
    }
    saved = await browser.post(f"{page}/recommendations", data=data)
    assert saved.status_code == 303, saved.text
    html = (await browser.get(page)).text
    section = text_of(
        html[
            html.index('id="recommendations-title"') : html.index(
                "</section>", html.index('id="recommendations-title"')
            )
        ]
    )
    assert "令和8年12月1日 手渡し IGRA（QFT）、胸部X線 令和8年12月28日" in section
    assert f'href="/contacts/{made["contact"]["id"]}/forms/F18?record_id=' in html


@pytest.mark.req("R15", partial=True)
async def test_a_wrong_recommendation_is_refused_beside_its_fields_and_nothing_is_stored(
    browser: httpx.AsyncClient, real_contacts: httpx.AsyncClient
) -> None:
    made = await a_contact(real_contacts)
    page = f"/contacts/{made['contact']['id']}"
    data = {
        "csrf_token": csrf_token((await browser.get(page)).text),
        "issued_on": "R8.12.1",
        "delivery": "other",
        "deadline_on": "R8.11.1",
    }
    refused = await browser.post(f"{page}/recommendations", data=data)
    assert refused.status_code == 422
    assert "受診期限は勧告日以降の日付にしてください。" in refused.text
    assert "勧告する検査を1つ以上選んでください。" in refused.text and "その他" in refused.text
    listed = await real_contacts.get(f"{page}/recommendations", headers=auth_headers("nurse1"))
    assert listed.json() == []


@pytest.mark.req("R13", partial=True)
async def test_an_appointment_then_the_reception_are_recorded_from_the_page(
    browser: httpx.AsyncClient, real_contacts: httpx.AsyncClient
) -> None:
    made = await a_contact(real_contacts)
    page, exam = f"/contacts/{made['contact']['id']}", made["exam"]
    place = f"試験保健所{uuid.uuid4().hex[:4]}"
    token = csrf_token((await browser.get(page)).text)
    data = {
        "csrf_token": token,
        "version": str(exam["version"]),
        "appointment_on": "R8.12.28",
        "appointment_time": "１０：３０",
        "appointment_place": place,
    }
    saved = await browser.post(f"{page}/exams/{exam['id']}/appointment", data=data)
    assert saved.status_code == 303, saved.text
    stored = (await real_contacts.get(f"{page}/exams", headers=auth_headers("nurse1"))).json()[0]
    assert stored["appointment_time"] == "10:30:00" and stored["appointment_place"] == place
    received = await browser.post(
        f"{page}/exams/{exam['id']}/reception", data={"csrf_token": token, "version": str(stored["version"])}
    )
    assert received.status_code == 303, received.text
    html = text_of((await browser.get(page)).text)
    assert f"令和8年12月28日 10:30 {place}" in html and "受付 1番" in html
    bad = await browser.post(
        f"{page}/exams/{exam['id']}/appointment",
        data=data | {"version": str(stored["version"] + 1), "appointment_time": "朝"},
    )
    assert bad.status_code == 422 and "時刻の形式が正しくありません" in bad.text


@pytest.mark.req("F18", partial=True)
async def test_the_forms_are_relayed_from_reports_or_refused_with_what_is_missing(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    contact_id = str(uuid.uuid4())
    pdf = backends.get(f"{REPORTS}/contact-forms/{contact_id}/F18").mock(
        return_value=httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
    )
    answer = await browser.get(f"/contacts/{contact_id}/forms/F18")
    assert answer.status_code == 200 and answer.content == b"%PDF-1.7" and pdf.called
    missing = {"detail": "印刷に必要な項目が入力されていません。（予約日、受診場所）", "errors": {}}
    backends.get(f"{REPORTS}/contact-forms/{contact_id}/F19").mock(return_value=httpx.Response(422, json=missing))
    refused = await browser.get(f"/contacts/{contact_id}/forms/F19")
    assert refused.status_code == 400 and "予約日、受診場所" in refused.text
    register = backends.get(f"{REPORTS}/reception-registers/F25").mock(
        return_value=httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
    )
    assert (
        await browser.get("/contacts/reception/F25", params={"day": "R8.12.4", "place": "世田谷保健所"})
    ).status_code == 200
    assert register.calls.last.request.url.params["day"] == "2026-12-04"
    no_day = await browser.get("/contacts/reception/F25", params={"day": "", "place": "世田谷保健所"})
    assert no_day.status_code == 400 and "受付簿の日付を入力してください" in no_day.text
    index_id = str(uuid.uuid4())
    f05 = backends.get(f"{REPORTS}/index-contacts/{index_id}/F05").mock(
        return_value=httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
    )
    assert (await browser.get(f"/contacts/index-patients/{index_id}/F05")).status_code == 200 and f05.called
