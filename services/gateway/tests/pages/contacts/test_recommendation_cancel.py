"""The 取消 of a 17条 勧告 on the contact page (R15): the form sends the reason, the day and the version seen, an
empty reason is refused beside the field before anything is sent, a cancelled 勧告 stays listed marked 取消 with
the day, who and why (no 勧告書 to print, no correction), and the history names it. contacts' answers are those
its API gives (services/contacts/tests/recommendation/test_api.py proves them against the real service)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import CONTACTS, Login, csrf_token, logged_in_chromium, text_of
from .conftest import CONTACT, CONTACT_ID, mock_contact

PAGE = f"/contacts/{CONTACT_ID}"
RECOMMENDATION = {
    "id": "7a1d2c3e-0000-4000-8000-000000000001",
    "contact_id": CONTACT_ID,
    "version": 2,
    "issued_on": "2026-12-01",
    "delivery": "hand",
    "delivery_label": "手渡し",
    "delivery_note": "",
    "exams": ["igra_qft", "xray"],
    "exam_labels": ["IGRA（QFT）", "胸部X線"],
    "deadline_on": "2026-12-28",
    "note": "",
    "status": "issued",
    "cancelled_on": None,
    "cancelled_at": None,
    "cancelled_by_name": "",
    "cancel_reason": "",
}
CANCELLED = RECOMMENDATION | {
    "id": "7a1d2c3e-0000-4000-8000-000000000002",
    "version": 3,
    "status": "cancelled",
    "cancelled_on": "2026-12-02",
    "cancelled_at": "2026-12-02T01:00:00Z",
    "cancelled_by_name": "試験 花子",
    "cancel_reason": "接触者ではないと判明したため",
}
HISTORY = {
    "items": [
        {
            "record_type": "recommendation",
            "record_id": CANCELLED["id"],
            "version": 12,
            "changed_at": "2026-12-02T01:00:00Z",
            "changed_by": "u1",
            "changed_by_name": "試験 花子",
            "reason": "接触者ではないと判明したため",
            "changes": {
                "status": ["issued", "cancelled"],
                "cancelled_on": [None, "2026-12-02"],
                "cancel_reason": ["", "接触者ではないと判明したため"],
            },
        }
    ]
}


def section(html: str, title_id: str) -> str:
    start = html.index(f'id="{title_id}"')
    return text_of(html[start : html.index("</section>", start)])


def shown_with(backends: respx.MockRouter, *recommendations: dict) -> None:
    mock_contact(backends, CONTACT | {"recommendations": list(recommendations)})
    backends.get(f"{CONTACTS}/contacts/{CONTACT_ID}/history").mock(return_value=httpx.Response(200, json=HISTORY))


@pytest.mark.req("R15", partial=True)
async def test_a_recommendation_is_cancelled_with_the_reason_the_day_and_the_version_seen(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    shown_with(backends, RECOMMENDATION)
    url = f"{CONTACTS}/contacts/{CONTACT_ID}/recommendations/{RECOMMENDATION['id']}/cancel"
    sent = backends.post(url).mock(return_value=httpx.Response(200, json=RECOMMENDATION | {"status": "cancelled"}))
    html = (await browser.get(PAGE)).text
    action = f"/contacts/{CONTACT_ID}/recommendations/{RECOMMENDATION['id']}/cancel"
    assert f'action="{action}"' in html and "令和8年12月1日の勧告を取り消す" in html
    data = {"csrf_token": csrf_token(html), "version": "2", "cancelled_on": "R8.12.2", "reason": "誤って登録した"}
    saved = await browser.post(action, data=data)
    assert saved.status_code == 303 and saved.headers["location"].endswith("#recommendations-title")
    assert json.loads(sent.calls.last.request.content) == {
        "version": 2,
        "cancelled_on": "R8.12.2",
        "reason": "誤って登録した",
    }


@pytest.mark.req("R15", partial=True)
async def test_a_cancellation_without_a_reason_is_refused_beside_the_field_and_nothing_is_sent(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    shown_with(backends, RECOMMENDATION)
    url = f"{CONTACTS}/contacts/{CONTACT_ID}/recommendations/{RECOMMENDATION['id']}/cancel"
    sent = backends.post(url).mock(return_value=httpx.Response(200, json=RECOMMENDATION))
    action = f"/contacts/{CONTACT_ID}/recommendations/{RECOMMENDATION['id']}/cancel"
    data = {"csrf_token": csrf_token((await browser.get(PAGE)).text), "version": "2", "reason": " "}
    refused = await browser.post(action, data=data)
    assert refused.status_code == 422 and not sent.called
    field = f"f-rec-cancel-{RECOMMENDATION['id']}-reason-error"
    assert f'id="{field}"' in refused.text and "取消の理由を入力してください。" in refused.text

    stale = {"detail": "他の利用者が先に保存しました。画面を開き直してください。"}
    sent.mock(return_value=httpx.Response(409, json=stale))
    again = await browser.post(action, data=data | {"reason": "誤って登録した"})
    assert again.status_code == 409 and "他の利用者が先に保存しました" in again.text


@pytest.mark.req("R15", partial=True)
async def test_a_cancelled_recommendation_stays_listed_marked_and_in_the_history(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    shown_with(backends, CANCELLED, RECOMMENDATION)
    html = (await browser.get(PAGE)).text
    listed = section(html, "recommendations-title")
    assert "取消 令和8年12月2日（試験 花子） 理由：接触者ではないと判明したため" in listed
    assert f"record_id={CANCELLED['id']}" not in html  # no 勧告書 of a cancelled 勧告
    assert f"record_id={RECOMMENDATION['id']}" in html and "勧告中" in listed
    assert f"/recommendations/{CANCELLED['id']}" not in html  # neither corrected nor cancelled again
    history = section(html, "history-title")
    assert "勧告" in history and "状態 勧告中 取消" in history and "取消日 （空欄） 令和8年12月2日" in history


@pytest.mark.req("R15", partial=True)
async def test_the_recommendations_with_a_cancelled_one_pass_axe(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
) -> None:
    shown_with(backends, CANCELLED, RECOMMENDATION)
    settings.public_url = served
    async with logged_in_chromium(served, login, PAGE) as browser:
        await browser.run("document.querySelectorAll('details').forEach(d => d.open = true);")
        assert await look(browser, shots, "contact-recommendation-cancel") == []
