"""The checks before sending and the browser drafts in headless Chromium (N27, R27; issue 23): the patient page's
経過記録 form and the F06 print's period are stopped in the browser with the gateway's own words beside each field
and in the error summary, the gateway says the same when the form is sent without those checks, the browser's
和暦・郵便番号・カナ rules answer as the server's do, and a draft typed before an idle timeout comes back after a new
login and goes once saved."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest
import respx
from gateway.forms import Field
from gateway.settings import Settings
from tbms_core.jp.wareki import WarekiError, parse_date

from ...chromium import Chromium, look
from ...conftest import PATIENT_ID, PATIENTS, REPORTS, Login, logged_in_chromium, mock_patient_page, session_cookie

PAGE = f"/patients/{PATIENT_ID}"
NOTES = f"{PATIENTS}/patients/{PATIENT_ID}/notes"  # the patients service's 経過記録
NOTE_FORM = "form[data-draft^='progress-note:']"
F06_FORM = "form[aria-labelledby='f06-period-title']"
FIELDS = ["f-pn-new-noted_on", "f-pn-new-kind", "f-pn-new-text"]
MESSAGES = """return arguments[0].map(id => {
  const shown = document.getElementById(id + '-error');
  return shown ? shown.textContent.replace('エラー：', '').trim() : '';
});"""
OPEN_NOTE_FORM = "document.getElementById('pn-new-title').closest('details').open = true;"
FOCUS_ON_SUMMARY = "document.activeElement && document.activeElement.id === 'error-summary'"
# what staff type, right and wrong: every rule of tbms_core.jp.wareki.parse_date is met at least once
DATES = [
    "S45.3.1",
    "昭和45年3月1日",
    "昭45.3.1",
    "s450301",
    "3450301",
    "450301",
    "H31.4.30",
    "H31.5.1",
    "R1.4.30",
    "R元.5.1",
    "令和元年5月1日",
    "2020-02-29",
    "2019-02-29",
    "20200230",
    "M5.12.31",
    "M6.1.1",
    "M1.10.23",
    "明治元年10月23日",
    "T1.7.30",
    "M45.7.30",
    "大正元年7月29日",
    "H32.1.1",
    "S0.1.1",
    "Ｒ８．１０．１",
    "R8。10。1",
    "R8ー10ー1",
    " R 8 . 1 . 1 ",
    "1868-01-01",
    "0000-01-01",
    "R8.13.1",
    "R8.2.30",
    "abc",
    "R8",
    "ﾚｲﾜ8",
    "2026/10/01",
    "2026年10月1日",
    "6080101",
    "5080101",
]
POSTAL = ["154-0017", "1540017", "１５４－００１７", "１５４００１７", "154-001", "15400170", "154 0017", "〒154-0017"]
KANA = ["シケン タロウ", "しけん　たろう", "ｼｹﾝ ﾀﾛｳ", "ｶﾞｯｺｳ", "ヴァン・ゴッホ", "試験", "シケン1", "shiken"]


def server_date(text: str) -> str:
    """What the services make of a typed date: the day, or their message."""
    try:
        return parse_date(text).isoformat()
    except WarekiError as exc:
        return str(exc)


BROWSER_DATES = """return arguments[0].map(text => {
  try {
    const d = window.tbmsChecks.parseDate(text);
    const two = n => String(n).padStart(2, '0');
    return String(d.year).padStart(4, '0') + '-' + two(d.month) + '-' + two(d.day);
  } catch (e) { return e.message; }
});"""
BROWSER_FORMAT = """return arguments[1].map(text => {
  const input = document.createElement('input');
  input.setAttribute('data-format', arguments[0]);
  input.value = text;
  return window.tbmsChecks.problem(input);
});"""


async def note_messages(browser: Chromium) -> list[str]:
    """The message beside each field of the 経過記録 form ("" where none)."""
    return await browser.run(MESSAGES, FIELDS)


@pytest.mark.req("N27", partial=True)
@pytest.mark.req("R27", partial=True)
class TestChecksBeforeSending:
    async def test_the_browser_reads_dates_postal_codes_and_kana_as_the_server_does(
        self, served: str, login: Login, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        async with logged_in_chromium(served, login, PAGE) as browser:
            assert await browser.run(BROWSER_DATES, DATES) == [server_date(text) for text in DATES]
            postal, kana = Field("postal_code", "郵便番号", kind="postal"), Field("name_kana", "カナ")
            assert await browser.run(BROWSER_FORMAT, "postal", POSTAL) == [postal.problem(v) for v in POSTAL]
            assert await browser.run(BROWSER_FORMAT, "kana", KANA) == [kana.problem(v) for v in KANA]

    async def test_a_missing_field_is_stopped_in_the_browser_and_refused_by_the_gateway_in_the_same_words(
        self, served: str, login: Login, backends: respx.MockRouter, settings: Settings
    ) -> None:
        settings.public_url = served
        mock_patient_page(backends)
        saved = backends.post(NOTES).mock(return_value=httpx.Response(201, json={"id": str(uuid.uuid4())}))
        async with logged_in_chromium(served, login, PAGE) as browser:
            await browser.run(OPEN_NOTE_FORM)
            await browser.type("#f-pn-new-noted_on", "H40.1.1")
            await browser.click(f"{NOTE_FORM} button[type=submit]")
            await browser.wait_for(FOCUS_ON_SUMMARY)
            summary = await browser.run("return document.activeElement.textContent;")
            assert "まだ送信していません" in summary
            for line in (
                "記録日：「平成40年」は存在しません（平成は31年4月30日まで）。",
                "種類：種類を選んでください。",
                "内容：内容を入力してください。",
            ):
                assert line in summary, line
            in_browser = await note_messages(browser)
            assert in_browser == [
                "「平成40年」は存在しません（平成は31年4月30日まで）。",
                "種類を選んでください。",
                "内容を入力してください。",
            ]
            assert await browser.run("return document.getElementById('f-pn-new-text').getAttribute('aria-invalid');")
            assert not saved.called, "nothing was sent"

            # the same form sent past the browser's checks (as without script): the gateway answers alike
            await browser.run(f'document.querySelector("{NOTE_FORM}").submit();')
            await browser.wait_for(
                "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
                " && document.getElementById('f-pn-new-text-error')"
            )
            assert await note_messages(browser) == in_browser
            server_summary = await browser.run("return document.getElementById('error-summary').textContent;")
            assert "内容：内容を入力してください。" in server_summary and not saved.called

    async def test_an_unreadable_f06_period_is_stopped_in_the_browser_and_refused_by_the_gateway_in_the_same_words(
        self, served: str, login: Login, backends: respx.MockRouter, settings: Settings
    ) -> None:
        settings.public_url = served
        mock_patient_page(backends)
        printed = backends.post(f"{REPORTS}/documents").mock(return_value=httpx.Response(201, json={"id": "x"}))
        period = ["f06-period_from", "f06-period_to"]
        typed = ["R8.13.1", "450301"]
        async with logged_in_chromium(served, login, PAGE) as browser:
            await browser.run(
                "arguments[0].forEach((id, n) => { document.getElementById(id).value = arguments[1][n]; });",
                period,
                typed,
            )
            await browser.click(f"{F06_FORM} button[type=submit]")
            await browser.wait_for(FOCUS_ON_SUMMARY)
            summary = await browser.run("return document.activeElement.textContent;")
            for label, text in zip(("期間の始まり", "期間の終わり"), typed, strict=True):
                assert f"{label}：{server_date(text)}" in summary
            in_browser = await browser.run(MESSAGES, period)
            assert in_browser == [server_date(text) for text in typed] and not printed.called

            # sent past the checks (as without script, and in this tab): the gateway says the same, nothing printed
            send = 'const f = document.querySelector(arguments[0]); f.removeAttribute("target"); f.submit();'
            await browser.run(send, F06_FORM)
            await browser.wait_for(
                "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
                " && document.getElementById('f06-period_to-error')"
            )
            assert await browser.run(MESSAGES, period) == in_browser and not printed.called
            server_summary = await browser.run("return document.getElementById('error-summary').textContent;")
            assert f"期間の始まり：{server_date('R8.13.1')}" in server_summary


@pytest.mark.req("N27", partial=True)
@pytest.mark.req("R27", partial=True)
class TestDrafts:
    async def test_a_progress_note_typed_before_the_session_ended_comes_back_after_a_new_login(
        self, served: str, login: Login, backends: respx.MockRouter, settings: Settings
    ) -> None:
        settings.public_url = served
        mock_patient_page(backends)
        saved = backends.post(NOTES).mock(return_value=httpx.Response(201, json={"id": str(uuid.uuid4())}))
        async with logged_in_chromium(served, login, PAGE) as browser:
            await browser.run("window.localStorage.clear();")
            await browser.go(f"{served}{PAGE}")
            await browser.run(OPEN_NOTE_FORM)
            await browser.type("#f-pn-new-noted_on", "R8.11.20")
            await browser.run(
                "const s = document.getElementById('f-pn-new-kind'); s.selectedIndex = 1;"
                "s.dispatchEvent(new Event('change', {bubbles: true}));"
            )
            await browser.type("#f-pn-new-text", "電話で服薬状況を確認した。")
            kept = "Object.entries(localStorage).some(([k, v]) => k.includes(':progress-note:') && v.includes('服薬'))"
            await browser.wait_for(kept)
            kind = await browser.run("return document.getElementById('f-pn-new-kind').value;")

            # the idle timeout ends the session; the nurse logs in again (a new session of the same user)
            await browser.command("DELETE", "/cookie/tbms_session")
            async with httpx.AsyncClient(base_url=served) as http:
                await login(http)
                await browser.add_cookie("tbms_session", session_cookie(http))
            await browser.go(f"{served}{PAGE}")
            await browser.wait_for("document.querySelector('.draft-notice')")
            assert await browser.run("return document.getElementById('pn-new-title').closest('details').open;")
            values = "return ['noted_on', 'kind', 'text'].map(n => document.getElementById('f-pn-new-' + n).value);"
            assert await browser.run(values) == ["R8.11.20", kind, "電話で服薬状況を確認した。"]

            await browser.click(f"{NOTE_FORM} button[type=submit]")
            await browser.wait_for("document.getElementById('flash')")
            assert saved.called and json.loads(saved.calls.last.request.content)["text"] == "電話で服薬状況を確認した。"
            drafts = "return Object.keys(localStorage).filter(k => k.startsWith('tbms-draft:')).length;"
            assert await browser.run(drafts) == 0, "the draft goes once the note is saved"


@pytest.mark.req("N27", partial=True)
@pytest.mark.req("R27", partial=True)
class TestExclusionConfirmation:
    async def test_the_exclusion_is_confirmed_on_a_page_of_its_own_and_going_back_keeps_what_was_typed(
        self, served: str, login: Login, backends: respx.MockRouter, settings: Settings, shots: Path
    ) -> None:
        settings.public_url = served
        mock_patient_page(backends)
        excluded = backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/exclusion").mock(
            return_value=httpx.Response(201, json={"id": PATIENT_ID})
        )
        async with logged_in_chromium(served, login, PAGE) as browser:
            await browser.run("window.localStorage.clear();")
            await browser.go(f"{served}{PAGE}")
            await browser.run("document.getElementById('exclusion-form-title').closest('details').open = true;")
            await browser.type("#f-ex-excluded_on", "R8.11.1")
            await browser.run(
                "const s = document.getElementById('f-ex-reason'); s.selectedIndex = 1;"
                "s.dispatchEvent(new Event('change', {bubbles: true}));"
            )
            await browser.type("#f-ex-note", "他県へ転出")
            await browser.click("form[data-draft^='exclusion:'] button[type=submit]")
            await browser.wait_for("document.querySelector('h1').textContent === '登録除外（確認）'")
            assert await browser.run("return document.activeElement.id;") == "confirm-notice"
            page = await browser.run("return document.querySelector('main').textContent;")
            assert "まだ登録除外していません" in page and "令和8年11月1日（2026年11月1日）付けで登録から外れ" in page
            assert "他県へ転出" in page and not excluded.called
            assert await look(browser, shots, "exclusion-confirm") == []

            await browser.click("a[href$='#exclusion-form-title']")  # 入力画面に戻って修正する
            await browser.wait_for("document.querySelector('.draft-notice')")
            assert await browser.run("return document.getElementById('f-ex-note').value;") == "他県へ転出"
            await browser.click("form[data-draft^='exclusion:'] button[type=submit]")
            await browser.wait_for("document.querySelector('h1').textContent === '登録除外（確認）'")
            await browser.click("button[name=step][value=confirmed]")
            await browser.wait_for("document.getElementById('flash')")
            sent = json.loads(excluded.calls.last.request.content)
            assert excluded.call_count == 1 and sent["note"] == "他県へ転出" and sent["excluded_on"] == "R8.11.1"
            drafts = "return Object.keys(localStorage).filter(k => k.startsWith('tbms-draft:')).length;"
            assert await browser.run(drafts) == 0
