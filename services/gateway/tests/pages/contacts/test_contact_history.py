"""The contact's 修正履歴 on a page of its own (R21), as the patient's printable history: who, when, which record
(the contact, an exposure, an exam, a 勧告), why, each item from what to what in words; of one record with
`record`; linked from the contact page; refused without 接触者管理 参照; axe finds nothing. contacts' answers are
those its API gives (GET /contacts/{id}/history, recorded in contacts_api.json)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import FakeKeycloakType, Login, logged_in_chromium, text_of, with_roles
from .conftest import CONTACT, CONTACT_ID, RECORDED, mock_contact

pytestmark = pytest.mark.req("R21", partial=True)
PAGE = f"/contacts/{CONTACT_ID}/history"
EXPOSURE_CHANGE = next(e for e in RECORDED["history"]["items"] if e["reason"] == "聞き取りで判明")


async def test_every_change_says_who_when_which_record_why_and_from_what_to_what(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    mock_contact(backends)
    page = await browser.get(PAGE)
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "接触者の修正履歴" in shown and "試験 花子（シケン ハナコ）" in shown
    assert f"{len(RECORDED['history']['items'])}件（新しい順）" in shown
    assert "試験 花子 接触状況（発端患者: 試験 太郎） 第7版 聞き取りで判明" in shown
    assert "最終接触日 令和8年11月13日 令和8年11月23日" in shown
    assert "判定 （空欄） LTBI（治療）" in shown or "健診の結果（判定） （空欄） LTBI（治療）" in shown
    assert "の追加 第8版" in shown and "続柄・関係 — 兄" in shown  # an exposure added: what was filled in
    assert "取消の理由 （空欄） 重複して登録" in shown  # an exam cancelled
    assert "data-print" in page.text


@pytest.mark.req("F24", partial=True)
async def test_an_xrays_irradiation_conditions_read_in_words(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    change = RECORDED["history"]["items"][0] | {
        "record_type": "exam",
        "record_id": CONTACT["exams"][0]["id"],
        "reason": "照射条件の入力",
        "changes": {"irradiation.kv": [None, 120], "irradiation.projection": [None, "pa"]},
    }
    routes = mock_contact(backends)
    routes["history"].mock(return_value=httpx.Response(200, json={"items": [change]}))
    shown = text_of((await browser.get(PAGE)).text)
    assert "管電圧（kV） — 120" in shown and "撮影方向 — 正面（PA・立位）" in shown


async def test_the_history_of_one_record_only(browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
    mock_contact(backends)
    page = await browser.get(PAGE, params={"record": EXPOSURE_CHANGE["record_id"]})
    shown = text_of(page.text)
    assert "（接触状況（発端患者: 試験 太郎）のみ）" in shown and "1件（新しい順）" in shown
    assert "すべての記録の修正履歴を表示する" in shown and "第9版" not in shown


async def test_the_contact_page_links_to_it(browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
    mock_contact(backends)
    html = (await browser.get(f"/contacts/{CONTACT_ID}")).text
    assert f'href="{PAGE}"' in html and f'href="{PAGE}?record={CONTACT_ID}"' in html


async def test_without_contacts_read_it_is_refused(
    client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
) -> None:
    with_roles(keycloak, ["patients:update"])
    await login(client)
    history = mock_contact(backends)["history"]
    page = await client.get(PAGE)
    assert page.status_code == 403 and "「接触者管理」の参照権限がありません。" in page.text and not history.called


async def test_the_history_page_passes_axe(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
) -> None:
    mock_contact(backends, CONTACT)
    settings.public_url = served
    async with logged_in_chromium(served, login, PAGE) as browser:
        assert await look(browser, shots, "contact-history") == []
