"""The 管理検診 and 行動調査 pages in headless Chromium against this code's patients service (R06, R08): the clerk's
list, a patient's schedule with an exam opened and refused (focus to the messages), and the investigation form with
its computed period; axe (WCAG 2.0 A/AA) finds nothing on any of them at 1280 px nor at 683 px (a 1366 px screen at
200 %), where none scrolls sideways either: the page sweep (test_every_page_browser) has no recorded answers for
these pages, so this test is where they are checked. Screenshots go to $TBMS_SHOTS (else the test's temporary
directory) to be looked at."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gateway.settings import Settings
from tbms_testing import auth_headers

from ...chromium import look, look_narrow
from ...conftest import FakeKeycloak, Login, logged_in_chromium, with_roles
from .conftest import MakePatient

INVESTIGATION = {
    "interviewed_on": "2026-07-25",
    "interviewer": "見本 保健師",
    "items": {
        "symptoms": [{"symptom": "cough", "onset_on": "2026-04-15"}, {"symptom": "fever", "onset_on": "2026-05-02"}],
        "visits": [{"visited_on": "2026-06-15", "institution": "見本内科", "what": "感冒薬"}],
        "diagnosed_on": "2026-07-15",
        "isolated_on": "2026-07-18",
        "household": [{"name": "見本 花子", "relation": "妻", "age": 50}],
        "settings": [
            {"kind": "work", "name": "見本商事 経理課", "hours": "9〜18時", "room": "3階", "ventilation": "poor"}
        ],
        "places": [{"kind": "club", "name": "見本囲碁クラブ", "frequency": "週1回"}],
    },
}


@pytest.mark.req("R06", partial=True)
@pytest.mark.req("R08", partial=True)
async def test_the_followup_pages_in_chromium_pass_axe(
    served: str,
    login: Login,
    shots: Path,
    settings: Settings,
    real_patients: httpx.AsyncClient,
    make_patient: MakePatient,
    patients_api: httpx.AsyncClient,
) -> None:
    patient = await make_patient(ended_on="2025-08-31", district="見本地区")
    saved = await patients_api.put(
        f"/patients/{patient['id']}/investigation", json=INVESTIGATION, headers=auth_headers("nurse1")
    )
    assert saved.status_code == 200, saved.text
    settings.public_url = served  # the browser's forms come from the served address (the CSRF origin check)
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, "/followup?view=overdue&district=見本地区") as browser:
        found["list"] = await look(browser, shots, "followup-list")
        found["list @683"] = await look_narrow(browser, shots, "followup-list")
        await browser.go(f"{served}/followup/patients/{patient['id']}")
        found["patient"] = await look(browser, shots, "followup-patient")
        found["patient @683"] = await look_narrow(browser, shots, "followup-patient")
        # the first exam's record (the page's 「この画面の使い方」 is a details element too)
        await browser.run("document.querySelector('details:not(.page-help)').open = true;")
        await browser.run("document.querySelector('details:not(.page-help) select[name=judgement]').value = 'normal';")
        await browser.click("details:not(.page-help) form button[type=submit]")
        await browser.wait_for("document.querySelector('details[open] .error-summary') !== null")
        found["exam-refused"] = await look(browser, shots, "followup-exam-refused")
        found["exam-refused @683"] = await look_narrow(browser, shots, "followup-exam-refused")
        await browser.go(f"{served}/followup/patients/{patient['id']}/investigation")
        found["investigation"] = await look(browser, shots, "followup-investigation")
        found["investigation @683"] = await look_narrow(browser, shots, "followup-investigation")
        shown = await browser.run("return document.getElementById('computed-title').parentElement.innerText;")
        assert "咳の出現（令和8年4月15日）の3か月前" in shown and "受診の遅れあり" in shown
    assert found == {page: [] for page in found}, found


@pytest.mark.req("R06", partial=True)
async def test_the_settings_page_and_a_printable_notice_in_chromium_pass_axe(
    served: str,
    login: Login,
    shots: Path,
    settings: Settings,
    keycloak: FakeKeycloak,
    real_patients: httpx.AsyncClient,
    make_patient: MakePatient,
) -> None:
    patient = await make_patient(ended_on="2025-08-31")
    with_roles(keycloak, ["patients:update", "masters:update", "forms:update"])
    settings.public_url = served
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, "/followup/settings") as browser:
        found["settings"] = await look(browser, shots, "followup-settings")
        found["settings @683"] = await look_narrow(browser, shots, "followup-settings")
        shown = await browser.run("return document.getElementById('profiles-title').parentElement.innerText;")
        assert "健感発0128第1号" in shown and "6・12・18・24か月" in shown
        await browser.run("document.getElementById('standard-months').value = '6, 十二';")
        await browser.click("form[action='/followup/settings/profiles'] button[type=submit]")
        await browser.wait_for("document.querySelector('.error-summary') !== null")
        found["settings-refused"] = await look(browser, shots, "followup-settings-refused")
        found["settings-refused @683"] = await look_narrow(browser, shots, "followup-settings-refused")
        await browser.go(f"{served}/followup/patients/{patient['id']}")
        found["notice-choice"] = await look(browser, shots, "followup-notice-choice")
        found["notice-choice @683"] = await look_narrow(browser, shots, "followup-notice-choice")
        options = await browser.run("return document.getElementById('notice-exam').options.length;")
        assert options == 4
    assert found == {page: [] for page in found}, found
