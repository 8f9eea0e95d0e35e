"""The DOTS pages in headless Chromium (R07): the month calendar filled from the keyboard (quick fill, then an arrow
key to correct one day), a refused day taking the focus to the messages, the day sheet and the cohort list; axe
(WCAG 2.0 A/AA) finds nothing on any of them. Screenshots go to $TBMS_SHOTS (else the
test's temporary directory) to be looked at."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import PATIENTS, FakeKeycloakType, Login, logged_in_chromium, with_roles
from .conftest import (
    DOTS,
    PATIENT_ID,
    RECORDED,
    TREATMENT_ID,
    error,
    mock_cohort,
    mock_day_sheet,
    mock_dots_patient,
    recorded,
)

pytestmark = pytest.mark.req("R07", partial=True)
NOVEMBER = f"/dots/patients/{PATIENT_ID}?month=2026-11"


class TestInChromium:
    async def test_the_calendar_is_filled_from_the_keyboard_and_every_page_passes_axe(
        self, served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
    ) -> None:
        mock_dots_patient(backends, confirmations=[])
        saved = backends.post(f"{DOTS}/confirmations/calendar").mock(
            return_value=httpx.Response(200, json=RECORDED["calendar"])
        )
        mock_day_sheet(backends)
        mock_cohort(backends)
        backends.post(f"{DOTS}/assessments").mock(
            return_value=httpx.Response(422, json={"detail": "", "errors": {"assessed_on": "日付を入力してください。"}})
        )
        backends.get(f"{DOTS}/outcomes/{TREATMENT_ID}").mock(
            return_value=httpx.Response(200, json=RECORDED["outcome_saved"])
        )
        settings.public_url = served  # the browser's forms come from the served address (the CSRF origin check)
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, NOVEMBER) as browser:
            found["patient"] = await look(browser, shots, "dots-patient")
            await browser.click("button[name=fill]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'flash'")
            found["filled"] = await look(browser, shots, "dots-calendar-filled")
            await browser.run("document.getElementById('s4-0').focus();")
            await browser.press("ArrowDown")  # the next status of the 4th: 未服用
            assert await browser.run("return document.getElementById('s4-1').checked;")
            await browser.click("#calendar-form button[type=submit]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'flash'")
            items = json.loads(saved.calls.last.request.content)["items"]
            assert len(items) == 30 and items[3]["status"] == "missed"

            backends.post(f"{DOTS}/confirmations/calendar").mock(return_value=error("calendar_422", 422))
            await browser.go(f"{served}{NOVEMBER}")
            await browser.click("button[name=fill]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'flash'")
            await browser.click("#calendar-form button[type=submit]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
            found["refused"] = await look(browser, shots, "dots-calendar-refused")

            await browser.go(f"{served}/dots/day-sheet?day=2026-12-03")
            found["day-sheet"] = await look(browser, shots, "dots-day-sheet")
            paged = recorded("cohort") | {"paging": {"limit": 100, "offset": 100, "total": 250}}
            backends.get(f"{PATIENTS}/dots/cohort").mock(return_value=httpx.Response(200, json=paged))
            await browser.go(f"{served}/dots/cohort?period=2026Q4&offset=100")
            found["cohort"] = await look(browser, shots, "dots-cohort")  # with the links to the other pages
            assert "101〜200人目" in await browser.run("return document.body.innerText;")
            await browser.go(f"{served}/dots/patients/{PATIENT_ID}/plan")
            found["plan"] = await look(browser, shots, "dots-plan")
            await browser.go(f"{served}/dots/patients/{PATIENT_ID}/assessment")
            found["assessment"] = await look(browser, shots, "dots-assessment")
            await browser.click("button.button[type=submit]:not(.button--header):not(.button--secondary)")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
            found["assessment-refused"] = await look(browser, shots, "dots-assessment-refused")
            await browser.go(f"{served}/dots/patients/{PATIENT_ID}/outcomes/{TREATMENT_ID}")
            found["outcome"] = await look(browser, shots, "dots-outcome")
        assert found == {page: [] for page in found}, found

    async def test_a_read_only_user_sees_the_pages_without_forms(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        shots: Path,
        keycloak: FakeKeycloakType,
    ) -> None:
        with_roles(keycloak, ["patients:read"])
        mock_dots_patient(backends)
        mock_day_sheet(backends)
        async with logged_in_chromium(served, login, NOVEMBER) as browser:
            assert await browser.run("return document.querySelectorAll('main form[method=post]').length;") == 0
            assert await look(browser, shots, "dots-patient-read-only") == []
            await browser.go(f"{served}/dots/day-sheet?day=2026-12-03")
            assert await look(browser, shots, "dots-day-sheet-read-only") == []
