"""The DOTS forms are checked before sending (N27) in headless Chromium. The F01 assessment's date, left empty or
unreadable, is stopped in the browser and nothing is sent; sent past the checks (as without script) to this code's
patients service, it is refused with the very same words beside it (an empty date reaches patients as null, which it
calls 「日付の形式が正しくありません。」). On the day sheet a confirmation without its 確認方法 is stopped with the
words of patients' ConfirmationCreate, nothing sent."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest
import respx
from gateway.settings import Settings
from tbms_testing import auth_headers
from tbms_testing.services import service_process

from ...conftest import PATIENTS, Login, logged_in_chromium
from .conftest import PATIENT_ID, mock_day_sheet

pytestmark = [pytest.mark.req("N27", partial=True), pytest.mark.req("R07", partial=True)]
BESIDE = """return arguments[0].map(id => {
  const shown = document.getElementById(id + '-error');
  return shown ? shown.textContent.replace('エラー：', '').trim() : '';
});"""
STOPPED = "document.activeElement && document.activeElement.id === 'error-summary'"
SERVED_AGAIN = (
    "document.readyState === 'complete' && !document.querySelector('[data-client-error]')"
    " && document.getElementById('assessed_on-error')"
)


@pytest.fixture(scope="module")
async def patients_api() -> AsyncIterator[httpx.AsyncClient]:
    """This code's patients service in its own process on a fresh database (replaces the stack's for these tests)."""
    async with service_process("patients", f"tbms_patients_dots_checks{os.getpid()}") as api:
        yield api


def changes_sent(backends: respx.MockRouter) -> int:
    """The calls that would change a record at patients."""
    return sum(1 for c in backends.calls if c.request.url.host == "patients.test" and c.request.method != "GET")


async def test_the_assessment_date_is_stopped_in_the_browser_in_the_words_patients_refuses_it_with(
    served: str,
    login: Login,
    settings: Settings,
    backends: respx.MockRouter,
    patients_api: httpx.AsyncClient,
    real_patients: httpx.AsyncClient,
) -> None:
    backends.route(host="127.0.0.1", port=patients_api.port).pass_through()  # type: ignore[attr-defined]
    body = {"name": "見本 服薬", "name_kana": "ミホン フクヤク", "sex": "female", "birth_date": "S52.4.1"}
    registered = await patients_api.post("/patients", json=body, headers=auth_headers("nurse1"))
    assert registered.status_code == 201, registered.text
    page = f"/dots/patients/{registered.json()['id']}/assessment"
    form = f"form[action='{page}']"
    settings.public_url = served  # the browser's forms come from the served address (the CSRF origin check)
    async with logged_in_chromium(served, login, page) as browser:
        for typed, said in (
            ("", "日付の形式が正しくありません。"),
            ("R8.13.1", "「令和8年13月1日」は存在しない日付です。"),
        ):
            sent = changes_sent(backends)
            await browser.run("document.getElementById('assessed_on').value = arguments[0];", typed)
            await browser.click(f"{form} button[type=submit]")
            await browser.wait_for(STOPPED)
            assert "まだ送信していません" in await browser.run("return document.activeElement.textContent;")
            assert await browser.run(BESIDE, ["assessed_on"]) == [said]
            assert changes_sent(backends) == sent, "nothing was sent"

            # the same form sent past the checks: patients refuses it, in the same words beside the date
            await browser.run(f'document.querySelector("{form}").submit();')
            await browser.wait_for(SERVED_AGAIN)
            assert changes_sent(backends) == sent + 1
            assert await browser.run(BESIDE, ["assessed_on"]) == [said]
            await browser.go(f"{served}{page}")


async def test_a_confirmation_without_its_method_is_stopped_in_the_browser(
    served: str, login: Login, settings: Settings, backends: respx.MockRouter
) -> None:
    mock_day_sheet(backends)
    confirmed = backends.post(f"{PATIENTS}/patients/{PATIENT_ID}/dots/confirmations").mock(
        return_value=httpx.Response(201, json={"id": PATIENT_ID})
    )
    settings.public_url = served
    async with logged_in_chromium(served, login, "/dots/day-sheet?day=2026-12-03") as browser:
        await browser.run(f"document.getElementById('m-{PATIENT_ID}').value = '';")
        await browser.click(f"#line-{PATIENT_ID} form button[type=submit]")
        await browser.wait_for(STOPPED)
        assert await browser.run(BESIDE, [f"m-{PATIENT_ID}"]) == ["確認方法を選んでください。"]
        assert not confirmed.called, "nothing was sent"
