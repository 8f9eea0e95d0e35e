"""The contact pages in headless Chromium (R12, R13): a refused registration moves the focus to its messages, a
folded form opens from the keyboard, and axe (WCAG 2.0 A/AA) finds nothing on the pages
and on every form opened. Screenshots go to $TBMS_SHOTS (else the test's temporary directory) to be looked at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import CONTACTS, FakeKeycloakType, Login, logged_in_chromium, mock_patient_page, with_roles
from .conftest import CHILD, CONTACT, CONTACT_ID, ENDED, INDEX_ID, RECORDED, error, mock_contact
from .test_contact_codes import with_masters_codes
from .test_contact_nurse import RECORDED as NURSES

pytestmark = pytest.mark.req("R12", partial=True)


def mock_pages(backends: respx.MockRouter) -> dict[str, Any]:
    """contacts answers every page of the walk: the index patient with no contact yet, the contact, the list."""
    mock_contact(backends)
    backends.get(f"{CONTACTS}/index-cases/{INDEX_ID}").mock(
        return_value=httpx.Response(200, json=RECORDED["index_case"])
    )
    listed = backends.routes["contact-list"]

    def page(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("index_patient_id"):
            return httpx.Response(200, json={"items": [], "total": 0})
        return httpx.Response(200, json={"items": [CONTACT, CHILD, ENDED], "total": 3})

    listed.mock(side_effect=page)
    return {"register": backends.post(f"{CONTACTS}/contacts").mock(return_value=error("create_422", 422))}


class TestInChromium:
    async def test_the_pages_and_their_forms_pass_axe_and_work_from_the_keyboard(
        self, served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
    ) -> None:
        mock_pages(backends)
        settings.public_url = served  # the browser's forms come from the served address (the CSRF origin check)
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, f"/contacts/{CONTACT_ID}") as browser:
            found["contact"] = await look(browser, shots, "contact")
            await browser.run("document.querySelector('#exam-new-title').closest('summary').focus();")
            await browser.press("Enter")
            assert await browser.wait_for("document.querySelector('#exam-new-title').closest('details').open")
            await browser.run("document.querySelectorAll('details').forEach(d => d.open = true);")
            found["contact-forms"] = await look(browser, shots, "contact-forms")

            await browser.go(f"{served}/contacts/index-patients/{INDEX_ID}")
            found["index"] = await look(browser, shots, "contacts-of-index")
            await browser.type("#f-new-exposure-last_contact_on", "R8.11.13")
            preview = "document.querySelector('#f-new-exposure-last_contact_on-preview').textContent"
            assert "令和8年11月13日（2026年11月13日）" in await browser.wait_for(preview)
            await browser.type("#f-new-exposure-hours", "x")
            await browser.click("button[type=submit].button:not(.button--header)")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
            checked = await browser.run("return document.activeElement.textContent;")
            assert "まだ送信していません" in checked and "氏名：氏名を入力してください。" in checked
            found["index-checked"] = await look(browser, shots, "contacts-register-checked")
            await browser.type("#f-new-name", "試験 花子")
            await browser.run("document.getElementById('f-new-exposure-setting').selectedIndex = 1;")
            await browser.click("button[type=submit].button:not(.button--header)")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
            assert "まだ送信していません" not in await browser.run("return document.activeElement.textContent;")
            found["index-refused"] = await look(browser, shots, "contacts-register-error")

            duplicates = httpx.Response(200, json=RECORDED["duplicates"])
            backends.routes["contact-duplicates"].mock(return_value=duplicates)
            await browser.click("button[type=submit].button:not(.button--header)")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
            assert "この人に接触状況を追加する" in await browser.run("return document.activeElement.textContent;")
            found["index-duplicates"] = await look(browser, shots, "contacts-register-duplicates")

            await browser.go(f"{served}/contacts")
            found["list"] = await look(browser, shots, "screening-list")

            mock_patient_page(backends)
            await browser.go(f"{served}/patients/{INDEX_ID}#contacts-title")
            assert "接触者：0人" in await browser.run("return document.querySelector('main').textContent;")
            found["patient"] = await look(browser, shots, "patient-with-contacts")
        assert found == {page: [] for page in found}, found

    @pytest.mark.req("R25", partial=True)
    async def test_the_forms_with_masters_code_lists_and_nurses_pass_axe(
        self, served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
    ) -> None:
        with_masters_codes(backends)
        backends.routes["staff"].mock(return_value=httpx.Response(200, json=NURSES["staff_assignment"]))
        mock_pages(backends)
        settings.public_url = served
        async with logged_in_chromium(served, login, f"/contacts/{CONTACT_ID}") as browser:
            await browser.run("document.querySelectorAll('details').forEach(d => d.open = true);")
            show = "#f-end-reason, #f-person-nurse, select[id^=f-exp-][id$=-setting], #f-exam-new-kind"
            await browser.run(f"document.querySelectorAll('{show}').forEach(s => s.size = s.options.length);")
            found = await look(browser, shots, "contact-code-lists")
            offered = "return [...document.querySelectorAll('#f-end-reason option, #f-person-nurse option')]"
            labels = await browser.run(offered + ".map(o => o.textContent);")
        assert found == []
        assert "国外へ転出" in labels and "試験 鈴木" in labels

    async def test_a_read_only_user_sees_the_contact_page_without_forms(
        self, served: str, login: Login, backends: respx.MockRouter, shots: Path, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:read", "contacts:read"])
        mock_pages(backends)
        async with logged_in_chromium(served, login, f"/contacts/{CONTACT_ID}") as browser:
            assert await browser.run("return document.querySelectorAll('main form').length;") == 0
            assert await look(browser, shots, "contact-read-only") == []
