"""The 管理検診 record and the 行動調査票 are checked before sending (N27) in headless Chromium, against this code's
patients service: dates that cannot be read, in the 調査票's repeated rows too (a symptom's onset, a visit, a place, a
trip), and fields required only with another (医療機関名 with 医療機関で実施, a visit's institution with its day, the
reason of a typed infectious period) are stopped in the browser with patients' own words beside each field and
nothing is sent; the same form sent past the checks (as without script) is refused by patients with the very same
words beside the same fields."""

from __future__ import annotations

import httpx
import pytest
import respx
from gateway.settings import Settings
from tbms_core.jp.wareki import WarekiError, parse_date

from ...chromium import Chromium
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


async def stopped_then_refused_alike(
    browser: Chromium, backends: respx.MockRouter, form: str, fields: list[str]
) -> list[str]:
    """Sends the form, which the browser stops (nothing sent); then past the checks, which patients refuses with the
    same words beside the same fields. The words, as shown."""
    before = changes_sent(backends)
    await browser.click(f"{form} button[type=submit]")
    await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
    assert "まだ送信していません" in await browser.run("return document.activeElement.textContent;")
    in_browser = await browser.run(BESIDE, fields)
    assert changes_sent(backends) == before, "nothing was sent"
    await browser.run(f'document.querySelector("{form}").submit();')
    await browser.wait_for(
        "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
        " && document.getElementById(arguments[0] + '-error')",
        fields[0],
    )
    assert changes_sent(backends) == before + 1
    assert await browser.run(BESIDE, fields) == in_browser
    return in_browser


SET_VALUES = """for (const [id, value] of Object.entries(arguments[0])) {
  const input = document.getElementById(id);
  if (input.type === 'checkbox') { input.checked = true; } else { input.value = value; }
}"""
INVESTIGATION = "form[aria-label='行動調査票']"


async def test_the_investigations_row_dates_are_stopped_in_the_browser_in_the_words_patients_refuses_them_with(
    served: str,
    login: Login,
    settings: Settings,
    backends: respx.MockRouter,
    real_patients: httpx.AsyncClient,
    make_patient: MakePatient,
) -> None:
    patient = await make_patient(category="patient")
    settings.public_url = served
    async with logged_in_chromium(served, login, f"/followup/patients/{patient['id']}/investigation") as browser:
        typed = {
            "has-fever": "1",
            "symptom-fever": "R8.2.30",
            "visits-0-visited_on": "450301",
            "visits-0-institution": "見本内科",
            "visits-1-institution": "見本眼科",  # a visit without its day
            "places-0-name": "見本体育館",
            "places-0-from_on": "H40.1.1",
            "travel-0-name": "見本旅行",
            "travel-0-to_on": "R8.13.1",
        }
        await browser.run(SET_VALUES, typed)
        fields = ["symptom-fever", "visits-0-visited_on", "visits-1-visited_on", "places-0-from_on", "travel-0-to_on"]
        said = await stopped_then_refused_alike(browser, backends, INVESTIGATION, fields)
        assert said == [
            said_by_parse_date("R8.2.30"),
            said_by_parse_date("450301"),
            "必須項目です。",
            said_by_parse_date("H40.1.1"),
            said_by_parse_date("R8.13.1"),
        ]

        await browser.run("window.localStorage.clear();")  # the draft of the refused form stays out of the next one
        await browser.go(f"{served}/followup/patients/{patient['id']}/investigation")
        await browser.run(SET_VALUES, {"override_start": "R8.1.1"})
        said = await stopped_then_refused_alike(browser, backends, INVESTIGATION, ["override_reason"])
        assert said == ["感染性期間を手入力するときは理由を入力してください。"]


async def test_the_institution_is_asked_for_only_when_the_exam_is_at_an_institution(
    served: str,
    login: Login,
    settings: Settings,
    backends: respx.MockRouter,
    real_patients: httpx.AsyncClient,
    make_patient: MakePatient,
) -> None:
    patient = await make_patient(ended_on="2025-08-31")
    settings.public_url = served
    async with logged_in_chromium(served, login, f"/followup/patients/{patient['id']}") as browser:
        await browser.run(f'document.querySelector("{EXAM}").open = true;')
        await browser.run("document.getElementById('e1-place').value = 'institution';")
        said = await stopped_then_refused_alike(browser, backends, f"{EXAM} form", ["e1-inst"])
        assert said == ["医療機関で実施するときは医療機関名を入力してください。"]
