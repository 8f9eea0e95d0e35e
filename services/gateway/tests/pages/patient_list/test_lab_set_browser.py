"""塗抹・培養・核酸増幅法 of one specimen in one form, in headless Chromium against this code's patients service: the
set shows only its three kinds' fields, one save stores each filled kind as a result of its own, and axe (WCAG 2.0
A/AA) finds nothing on the form. Screenshots go to $TBMS_SHOTS (else the test's temporary directory)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gateway.settings import Settings
from tbms_testing import auth_headers

from ...chromium import look
from ...conftest import Login, logged_in_chromium
from .conftest import MakePatient

HIDDEN = "return document.getElementById(arguments[0]).closest('fieldset').hidden;"
SET_VALUE = (
    "const el = document.getElementById(arguments[0]); el.value = arguments[1];"
    " el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));"
)


@pytest.mark.req("R04")
@pytest.mark.req("N10", partial=True)
@pytest.mark.req("R27", partial=True)
async def test_one_specimens_smear_and_culture_are_saved_at_once_in_chromium(
    served: str,
    login: Login,
    shots: Path,
    settings: Settings,
    real_patients: httpx.AsyncClient,
    make_patient: MakePatient,
    patients_api: httpx.AsyncClient,
    district: str,
) -> None:
    patient = await make_patient(name="見本 検体", district=district)
    settings.public_url = served
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, f"/patients/{patient['id']}") as browser:
        await browser.run("document.getElementById('lab-form-title').closest('details').open = true;")
        await browser.run(SET_VALUE, "f-lab-new-kind", "specimen_set")
        shown = {name: not await browser.run(HIDDEN, f"f-lab-new-{name}") for name in ("smear-grade", "culture-result")}
        assert shown == {"smear-grade": True, "culture-result": True}
        assert await browser.run(HIDDEN, "f-lab-new-igra-judgement"), "IGRA is not part of the set"
        for field, value in (
            ("specimen", "喀痰"),
            ("collected_on", "R8.11.1"),
            ("smear-grade", "1+"),
            ("culture-medium", "液体"),
            ("culture-result", "培養中"),
        ):
            await browser.run(SET_VALUE, f"f-lab-new-{field}", value)
        await browser.run("document.getElementById('lab-form-title').scrollIntoView();")
        found["form"] = await look(browser, shots, "lab-specimen-set")
        await browser.run("document.getElementById('f-lab-new-kind').form.requestSubmit();")
        await browser.wait_for("location.hash === '#labs-title'")
        assert "保存しました" in await browser.run("return document.body.innerText;")
        found["saved"] = await look(browser, shots, "lab-specimen-set-saved")
    stored = await patients_api.get(f"/patients/{patient['id']}/lab-results", headers=auth_headers("nurse1"))
    assert sorted((r["kind"], r["specimen"], r["collected_on"]) for r in stored.json()["items"]) == [
        ("culture", "喀痰", "2026-11-01"),
        ("smear", "喀痰", "2026-11-01"),
    ]
    assert found == {key: [] for key in found}
