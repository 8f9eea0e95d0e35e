"""The 管理検診 record is checked before sending (N27) in headless Chromium, against this code's patients service: dates
that cannot be read are stopped in the browser with parse_date's own words beside each field and nothing is sent;
the same form sent past the checks (as without script) is refused by patients with the very same words beside the
same fields."""

from __future__ import annotations

import httpx
import pytest
import respx
from gateway.settings import Settings
from tbms_core.jp.wareki import WarekiError, parse_date

from ...conftest import Login, logged_in_chromium
from .conftest import MakePatient

pytestmark = [pytest.mark.req("N27", partial=True), pytest.mark.req("R06", partial=True)]
EXAM = "details[id^='exam-']"
FIELDS = ["e1-notice", "e1-appt", "e1-done"]
TYPED = ["H40.1.1", "R8.2.30", "450301"]  # no 平成40年, no 2月30日, no era
BESIDE = """return arguments[0].map(id => {
  const shown = document.getElementById(id + '-error');
  return shown ? shown.textContent.replace('エラー：', '').trim() : '';
});"""


def said_by_parse_date(text: str) -> str:
    """What tbms_core's parse_date (the patients service's reading of a typed date) says of it."""
    try:
        return parse_date(text).isoformat()
    except WarekiError as exc:
        return str(exc)


def changes_sent(backends: respx.MockRouter) -> int:
    """The calls that would change a record at patients (the gateway's PATCH, PUT and POST)."""
    return sum(
        1
        for c in backends.calls
        if c.request.url.host == "patients.test" and c.request.method in ("PATCH", "PUT", "POST")
    )


async def test_unreadable_dates_are_stopped_in_the_browser_in_the_words_patients_refuses_them_with(
    served: str,
    login: Login,
    settings: Settings,
    backends: respx.MockRouter,
    real_patients: httpx.AsyncClient,
    make_patient: MakePatient,
) -> None:
    patient = await make_patient(ended_on="2025-08-31")
    settings.public_url = served  # the browser's forms come from the served address (the CSRF origin check)
    async with logged_in_chromium(served, login, f"/followup/patients/{patient['id']}") as browser:
        await browser.run(f'document.querySelector("{EXAM}").open = true;')
        for field, typed in zip(FIELDS, TYPED, strict=True):
            await browser.type(f"#{field}", typed)
        before = changes_sent(backends)
        await browser.click(f"{EXAM} form button[type=submit]")
        await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
        summary = await browser.run("return document.activeElement.textContent;")
        assert "まだ送信していません" in summary and f"予約日：{said_by_parse_date('R8.2.30')}" in summary
        in_browser = await browser.run(BESIDE, FIELDS)
        assert in_browser == [said_by_parse_date(typed) for typed in TYPED]
        assert changes_sent(backends) == before, "nothing was sent"

        # the same form sent past the checks: patients refuses it, and says the same beside the same fields
        await browser.run(f'document.querySelector("{EXAM} form").submit();')
        await browser.wait_for(
            "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
            " && document.getElementById('e1-notice-error')"
        )
        assert changes_sent(backends) == before + 1
        assert await browser.run(BESIDE, FIELDS) == in_browser
