"""患者一覧 and the 担当保健師 list in headless Chromium against this code's patients service: sorted by a column and
filtered, then the nurse list; axe (WCAG 2.0 A/AA) finds nothing at 1280 and 683 px and
neither page scrolls sideways at 683 px. Screenshots go to $TBMS_SHOTS (else the test's temporary directory)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import axe_violations, look
from ...conftest import Login, logged_in_chromium
from .conftest import MakePatient

STAFF = {
    "items": [{"code": "S1", "name": "見本担当", "data": {"nurse_username": "nurse-axe", "nurse_name": "見本 保健師"}}],
    "total": 1,
}
NO_SIDEWAYS = "return document.documentElement.scrollWidth <= window.innerWidth + 1;"


@pytest.mark.req("N10", partial=True)
@pytest.mark.req("N12", partial=True)
@pytest.mark.req("R27", partial=True)
async def test_the_list_and_the_nurse_list_in_chromium_pass_axe_at_both_widths(
    served: str,
    login: Login,
    shots: Path,
    settings: Settings,
    backends: respx.MockRouter,
    real_patients: httpx.AsyncClient,
    make_patient: MakePatient,
    district: str,
) -> None:
    backends.routes["staff"].mock(return_value=httpx.Response(200, json=STAFF))
    await make_patient(name="見本 一郎", name_kana="ミホン イチロウ", district=district, nurse="nurse-axe")
    await make_patient(name="見本 二郎", name_kana="アオキ ジロウ", category="recovered", district=district)
    settings.public_url = served
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, f"/patients?district={district}&sort=name_kana") as browser:
        await browser.wait_for("document.querySelector('th[aria-sort=\"ascending\"]') !== null")
        found["list"] = await look(browser, shots, "patient-list")
        await browser.click("th[aria-sort] a")  # the same column again: the other way round
        await browser.wait_for("document.querySelector('th[aria-sort=\"descending\"]') !== null")
        assert "order=desc" in await browser.url() and "district=" in await browser.url()  # the filter is kept
        for path in (f"/patients?district={district}&alerts=any", "/patients/nurses"):
            await browser.go(f"{served}{path}")
            found[path] = await look(browser, shots, "patient-" + ("nurses" if "nurses" in path else "list-alerts"))
        for path in (f"/patients?district={district}", "/patients/nurses"):
            await browser.go(f"{served}{path}")
            await browser.command("POST", "/window/rect", {"width": 683, "height": 900})
            await browser.screenshot(shots / f"tbms-shot-{'nurses' if 'nurses' in path else 'patient-list'}-683.png")
            found[f"{path} @683"] = await axe_violations(browser)
            assert await browser.run(NO_SIDEWAYS), f"{path} scrolls sideways at 683 px"
            await browser.command("POST", "/window/rect", {"width": 1280, "height": 900})
    assert found == {key: [] for key in found}
