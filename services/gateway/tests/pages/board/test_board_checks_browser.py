"""The 診査会 forms are checked before sending (N27) in headless Chromium: the new session's 開催日 and a case's
判定 and 決定日 left empty are stopped in the browser, nothing reaches patients, and the words beside each field are
the server's own: for 開催日 the gateway's refusal of the same form sent without the checks, for 判定 and 決定日
those of patients' DecisionCreate (「判定（承認・不承認・保留・条件付き）を選んでください。」, and parse_date's
「日付を入力してください。」 for the empty date). A date that cannot be read is stopped with parse_date's words, the
very words the gateway refuses it with (view.entry_date), and 条件付き承認 without its conditions with patients'
rule."""

from __future__ import annotations

import pytest
import respx
from gateway.settings import Settings
from tbms_core.jp.wareki import WarekiError, parse_date

from ...conftest import PATIENTS, FakeKeycloakType, Login, logged_in_chromium, with_roles
from .conftest import BOARD_ROLES, FIRST, SESSION_ID, answer, mock_board

pytestmark = [pytest.mark.req("N27", partial=True), pytest.mark.req("R05", partial=True)]
NEW_SESSION = "form[action='/board/sessions']"
DECISION = f"form[action='/board/cases/{FIRST}/decision']"
BESIDE = """return arguments[0].map(id => {
  const shown = document.getElementById(id + '-error');
  return shown ? shown.textContent.replace('エラー：', '').trim() : '';
});"""
STOPPED = "document.activeElement && document.activeElement.id === 'error-summary'"


async def test_empty_required_fields_are_stopped_in_the_browser_in_the_servers_words(
    served: str, login: Login, backends: respx.MockRouter, settings: Settings, keycloak: FakeKeycloakType
) -> None:
    with_roles(keycloak, BOARD_ROLES)
    mock_board(backends)
    opened = backends.post(f"{PATIENTS}/board/sessions").mock(return_value=answer("session_created", 201))
    decided = backends.post(f"{PATIENTS}/board/cases/{FIRST}/decision").mock(return_value=answer("decided"))
    settings.public_url = served  # the browser's forms come from the served address (the CSRF origin check)
    async with logged_in_chromium(served, login, "/board") as browser:
        await browser.run("document.getElementById('day').value = '';")
        await browser.click(f"{NEW_SESSION} button[type=submit]")
        await browser.wait_for(STOPPED)
        summary = await browser.run("return document.activeElement.textContent;")
        assert "まだ送信していません" in summary and "開催日：開催日を入力してください。" in summary
        in_browser = await browser.run(BESIDE, ["day"])
        assert in_browser == ["開催日を入力してください。"] and not opened.called

        # the same form sent past the checks (as without script): the gateway refuses it in the same words
        await browser.run(f'document.querySelector("{NEW_SESSION}").submit();')
        await browser.wait_for(
            "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
            " && document.getElementById('day-error')"
        )
        assert await browser.run(BESIDE, ["day"]) == in_browser and not opened.called

        await browser.go(f"{served}/board/sessions/{SESSION_ID}")
        await browser.run(f"document.getElementById('d-{FIRST}-decided_on').value = '';")
        await browser.click(f"{DECISION} button[type=submit]")
        await browser.wait_for(STOPPED)
        assert await browser.run(BESIDE, [f"d-{FIRST}-decision", f"d-{FIRST}-decided_on"]) == [
            "判定（承認・不承認・保留・条件付き）を選んでください。",
            "日付を入力してください。",
        ]
        invalid = f"return document.getElementById('d-{FIRST}-decision').getAttribute('aria-invalid');"
        assert await browser.run(invalid) == "true"
        assert not decided.called, "nothing was sent"
        assert not [c for c in backends.calls if c.request.method == "POST" and c.request.url.host == "patients.test"]


def said_by_parse_date(text: str) -> str:
    """What tbms_core's parse_date says of a date it cannot read."""
    with pytest.raises(WarekiError) as refused:
        parse_date(text)
    return str(refused.value)


async def test_unreadable_dates_are_stopped_in_the_browser_in_the_words_the_gateway_refuses_them_with(
    served: str, login: Login, backends: respx.MockRouter, settings: Settings, keycloak: FakeKeycloakType
) -> None:
    with_roles(keycloak, BOARD_ROLES)
    mock_board(backends)
    opened = backends.post(f"{PATIENTS}/board/sessions").mock(return_value=answer("session_created", 201))
    decided = backends.post(f"{PATIENTS}/board/cases/{FIRST}/decision").mock(return_value=answer("decided"))
    settings.public_url = served
    async with logged_in_chromium(served, login, "/board") as browser:
        await browser.run("document.getElementById('day').value = 'R8.13.1';")
        await browser.click(f"{NEW_SESSION} button[type=submit]")
        await browser.wait_for(STOPPED)
        summary = await browser.run("return document.activeElement.textContent;")
        assert f"開催日：{said_by_parse_date('R8.13.1')}" in summary
        in_browser = await browser.run(BESIDE, ["day"])
        assert in_browser == [said_by_parse_date("R8.13.1")] and not opened.called

        await browser.run(f'document.querySelector("{NEW_SESSION}").submit();')  # past the checks
        await browser.wait_for(
            "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
            " && document.getElementById('day-error')"
        )
        assert await browser.run(BESIDE, ["day"]) == in_browser and not opened.called

        decision, decided_on, conditions = (f"d-{FIRST}-{name}" for name in ("decision", "decided_on", "conditions"))
        await browser.go(f"{served}/board/sessions/{SESSION_ID}")
        await browser.run(
            "document.getElementById(arguments[0]).value = 'conditional';"
            "document.getElementById(arguments[1]).value = '450301';",
            decision,
            decided_on,
        )
        await browser.click(f"{DECISION} button[type=submit]")
        await browser.wait_for(STOPPED)
        summary = await browser.run("return document.activeElement.textContent;")
        assert "条件（条件付きのとき）：条件付き承認のときは条件を入力してください。" in summary
        in_browser = await browser.run(BESIDE, [decided_on, conditions])
        assert in_browser == [said_by_parse_date("450301"), "条件付き承認のときは条件を入力してください。"]
        assert not decided.called, "nothing was sent"

        # with 承認 the conditions are not asked for: only the date stops the form
        await browser.run(
            "document.getElementById(arguments[0]).value = 'approved';"
            "document.getElementById(arguments[1]).value = 'R8.2.30';",
            decision,
            decided_on,
        )
        await browser.click(f"{DECISION} button[type=submit]")
        await browser.wait_for(
            "document.getElementById('error-summary').textContent.includes(arguments[0])", said_by_parse_date("R8.2.30")
        )
        in_browser = await browser.run(BESIDE, [decided_on, conditions])
        assert in_browser == [said_by_parse_date("R8.2.30"), ""] and not decided.called

        await browser.run(f'document.querySelector("{DECISION}").submit();')  # past the checks: the gateway's words
        await browser.wait_for(
            "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
            f" && document.getElementById('{decided_on}-error')"
        )
        assert await browser.run(BESIDE, [decided_on, conditions]) == in_browser and not decided.called
