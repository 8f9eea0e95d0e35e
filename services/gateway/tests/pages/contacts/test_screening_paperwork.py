"""The contact page's screening paperwork (R13, R15): a 17条 勧告 entered in 和暦 is sent to contacts and listed
with its print link, contacts' refusal comes back beside the field, an exam's appointment and reception are sent,
and F18/F19/F05/F25 are relayed from reports or refused with reports' Japanese message. contacts' answers are those
its API gives (services/contacts/tests/recommendation/test_api.py proves them against the real service)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import CONTACTS, REPORTS, Login, csrf_token, logged_in_chromium, text_of
from .conftest import CONTACT, CONTACT_ID, EXAM, mock_contact

PAGE = f"/contacts/{CONTACT_ID}"
RECOMMENDATION = {
    "id": "7a1d2c3e-0000-4000-8000-000000000001",
    "contact_id": CONTACT_ID,
    "version": 1,
    "issued_on": "2026-12-01",
    "delivery": "hand",
    "delivery_label": "手渡し",
    "delivery_note": "",
    "exams": ["igra_qft", "xray"],
    "exam_labels": ["IGRA（QFT）", "胸部X線"],
    "deadline_on": "2026-12-28",
    "note": "",
}


def section(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    return text_of(html[start : html.index("</section>", start)])


@pytest.mark.req("R15", partial=True)
async def test_a_recommendation_typed_in_wareki_is_sent_and_listed_with_its_f18_link(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends)
    sent = backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/recommendations").mock(
        return_value=httpx.Response(201, json=RECOMMENDATION)
    )
    data = {
        "csrf_token": csrf_token((await browser.get(PAGE)).text),
        "issued_on": "R8.12.1",
        "delivery": "hand",
        "exams": ["igra_qft", "xray"],
        "deadline_on": "R8.12.28",
    }
    saved = await browser.post(f"{PAGE}/recommendations", data=data)
    assert saved.status_code == 303, saved.text
    body = json.loads(sent.calls.last.request.content)
    assert body["issued_on"] == "R8.12.1" and body["exams"] == ["igra_qft", "xray"] and body["delivery"] == "hand"
    mock_contact(backends, CONTACT | {"recommendations": [RECOMMENDATION]})
    html = (await browser.get(PAGE)).text
    assert "令和8年12月1日 手渡し IGRA（QFT）、胸部X線 令和8年12月28日" in section(html, "recommendations-title")
    assert f'href="/contacts/{CONTACT_ID}/forms/F18?record_id={RECOMMENDATION["id"]}"' in html


@pytest.mark.req("R15", partial=True)
async def test_a_recommendation_is_corrected_with_the_version_seen_and_a_stale_one_is_said(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends, CONTACT | {"recommendations": [RECOMMENDATION]})
    url = f"{CONTACTS}/contacts/{CONTACT_ID}/recommendations/{RECOMMENDATION['id']}"
    stale = {"detail": "他の利用者が先に保存しました。画面を開き直してください。"}
    patch = backends.patch(url).mock(return_value=httpx.Response(409, json=stale))
    html = (await browser.get(PAGE)).text
    assert f'action="/contacts/{CONTACT_ID}/recommendations/{RECOMMENDATION["id"]}"' in html
    data = {
        "csrf_token": csrf_token(html),
        "version": "1",
        "issued_on": "R8.12.1",
        "delivery": "mail",
        "exams": ["xray"],
        "deadline_on": "R8.12.28",
        "reason": "郵送に訂正",
    }
    refused = await browser.post(f"/contacts/{CONTACT_ID}/recommendations/{RECOMMENDATION['id']}", data=data)
    assert refused.status_code == 409 and "他の利用者が先に保存しました" in refused.text
    body = json.loads(patch.calls.last.request.content)
    assert body["version"] == 1 and body["reason"] == "郵送に訂正"
    assert body["changes"]["delivery"] == "mail" and body["changes"]["exams"] == ["xray"]


@pytest.mark.req("R15", partial=True)
async def test_a_refused_recommendation_comes_back_beside_its_fields_as_typed(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends)
    errors = {
        "deadline_on": "受診期限は勧告日以降の日付にしてください。",
        "exams": "勧告する検査を1つ以上選んでください。",
    }
    backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/recommendations").mock(
        return_value=httpx.Response(422, json={"detail": "入力内容に誤りがあります。", "errors": errors})
    )
    data = {
        "csrf_token": csrf_token((await browser.get(PAGE)).text),
        "issued_on": "R8.12.1",
        "delivery": "mail",
        "deadline_on": "R8.11.1",
    }
    refused = await browser.post(f"{PAGE}/recommendations", data=data)
    assert refused.status_code == 422
    assert 'id="f-rec-new-deadline_on-error"' in refused.text and errors["deadline_on"] in refused.text
    assert errors["exams"] in refused.text and 'value="R8.11.1"' in refused.text


@pytest.mark.req("R13", partial=True)
async def test_an_appointment_and_the_reception_are_sent_with_the_version_seen(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    planned = EXAM | {"status": "planned", "done_on": None, "result": "", "value": ""}
    mock_contact(backends, CONTACT | {"exams": [planned]})
    url = f"{CONTACTS}/contacts/{CONTACT_ID}/exams/{EXAM['id']}"
    booked = planned | {"version": planned["version"] + 1, "appointment_on": "2026-12-28"}
    appointment = backends.put(f"{url}/appointment").mock(return_value=httpx.Response(200, json=booked))
    reception = backends.post(f"{url}/reception").mock(return_value=httpx.Response(200, json=booked))
    html = (await browser.get(PAGE)).text
    assert f'action="/contacts/{CONTACT_ID}/exams/{EXAM["id"]}/appointment"' in html
    token = csrf_token(html)
    data = {
        "csrf_token": token,
        "version": str(planned["version"]),
        "appointment_on": "R8.12.28",
        "appointment_time": "１０：３０",
        "appointment_place": "世田谷保健所",
    }
    saved = await browser.post(f"{PAGE}/exams/{EXAM['id']}/appointment", data=data)
    assert saved.status_code == 303, saved.text
    body = json.loads(appointment.calls.last.request.content)
    assert body["version"] == planned["version"] and body["appointment_time"] == "10:30"
    assert body["appointment_on"] == "R8.12.28" and body["appointment_place"] == "世田谷保健所"
    received = await browser.post(f"{PAGE}/exams/{EXAM['id']}/reception", data={"csrf_token": token, "version": "4"})
    assert received.status_code == 303 and json.loads(reception.calls.last.request.content) == {"version": 4}
    received_exam = booked | {
        "appointment_time": "10:30:00",
        "appointment_place": "世田谷保健所",
        "receipt_no": 3,
        "received_by": "試験 花子",
    }
    shown = CONTACT | {"exams": [received_exam]}
    mock_contact(backends, shown)
    exams = section((await browser.get(PAGE)).text, "exams-title")
    assert "令和8年12月28日 10:30 世田谷保健所" in exams and "受付 3番（試験 花子）" in exams
    assert (
        "受診票（F19）を印刷" in exams and "健診実施票（F23）を印刷" in exams and "健診結果報告書（F21）を印刷" in exams
    )


def opener(html: str, href: str) -> str:
    """The whole link whose address starts with href, with its text."""
    start = html.rindex("<a ", 0, html.index(f'href="{href}'))
    return html[start : html.index("</a>", start) + 4]


@pytest.mark.req("N27", partial=True)
async def test_the_letters_f18_f19_and_f29_open_in_a_new_tab_and_say_so(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    booked = EXAM | {
        "status": "planned",
        "done_on": None,
        "result": "",
        "value": "",
        "appointment_on": "2026-12-28",
        "appointment_time": "10:30:00",
        "appointment_place": "世田谷保健所",
    }
    mock_contact(backends, CONTACT | {"recommendations": [RECOMMENDATION], "exams": [booked]})
    html = (await browser.get(PAGE)).text
    for href in (
        f"/contacts/{CONTACT_ID}/forms/F18?record_id={RECOMMENDATION['id']}",
        f"/contacts/{CONTACT_ID}/forms/F19?record_id={EXAM['id']}",
        f"/contacts/{CONTACT_ID}/notices/F29?exam_id={EXAM['id']}",
    ):
        link = opener(html, href)
        assert 'target="_blank" rel="noopener"' in link and "（新しいタブで開きます）" in link, link


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
    assert (await browser.get(f"/contacts/{contact_id}/forms/F99")).status_code == 404
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


@pytest.mark.req("F24", partial=True)
async def test_the_days_irradiation_record_is_printed_beside_the_reception_register(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    backends.get(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(200, json={"items": [], "total": 0}))
    html = (await browser.get("/contacts")).text
    assert 'formaction="/contacts/reception/F24"' in html and "照射録を印刷する" in html
    record = backends.get(f"{REPORTS}/screening-days/F24").mock(
        return_value=httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
    )
    answer = await browser.get("/contacts/reception/F24", params={"day": "R8.12.4", "place": ""})
    assert answer.status_code == 200 and answer.content == b"%PDF-1.7"
    assert dict(record.calls.last.request.url.params) == {"day": "2026-12-04", "place": ""}
    missing = {"detail": "印刷に必要な項目が入力されていません。（照射条件［試験 一子：管電圧］）", "errors": {}}
    record.mock(return_value=httpx.Response(422, json=missing))
    refused = await browser.get("/contacts/reception/F24", params={"day": "R8.12.4", "place": "世田谷保健所"})
    assert refused.status_code == 400 and "試験 一子：管電圧" in refused.text
    no_day = await browser.get("/contacts/reception/F24", params={"day": "", "place": ""})
    assert no_day.status_code == 400 and "照射録の日付" in no_day.text


@pytest.mark.req("R13", partial=True)
async def test_the_paperwork_forms_pass_axe_when_opened(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
) -> None:
    planned = EXAM | {"status": "planned", "done_on": None, "result": "", "value": ""}
    received = planned | {
        "appointment_on": "2026-12-28",
        "appointment_time": "10:30:00",
        "appointment_place": "世田谷保健所",
        "receipt_no": 2,
        "received_by": "試験 花子",
    }
    mock_contact(backends, CONTACT | {"recommendations": [RECOMMENDATION], "exams": [received]})
    settings.public_url = served
    async with logged_in_chromium(served, login, PAGE) as browser:
        await browser.run("document.querySelectorAll('details').forEach(d => d.open = true);")
        assert await look(browser, shots, "contact-paperwork") == []
