"""The request, group import and cluster pages in headless Chromium (R14): axe (WCAG 2.0 A/AA, when axe-core is at
hand) finds nothing on the board, a request with its forms open, a refused sending, the request received, a group
import preview and the cluster picture. Screenshots go to $TBMS_SHOTS (else the test's temporary directory)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import look
from ...conftest import CONTACTS, Login, logged_in_chromium
from .conftest import INDEX_ID, RECORDED, mock_board, mock_group, mock_new, mock_preview, mock_request, recorded

pytestmark = pytest.mark.req("R14")


async def test_the_request_pages_pass_axe(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
) -> None:
    settings.public_url = served
    mock_board(backends)
    draft, sent, answered = recorded("request_draft"), recorded("request_sent"), recorded("request_answered")
    sent["id"] = "00000000-0000-4000-8000-0000000000a1"
    answered["id"] = "00000000-0000-4000-8000-0000000000a2"
    for shown in (draft, sent, answered):
        mock_request(backends, shown)
    backends.post(f"{CONTACTS}/requests/{draft['id']}/packages").mock(
        return_value=httpx.Response(201, json=RECORDED["package"])
    )
    backends.post(f"{CONTACTS}/requests/{draft['id']}/send").mock(
        return_value=httpx.Response(422, json=RECORDED["send_422"])
    )
    mock_new(backends)
    preview = recorded("preview")
    mock_group(backends, recorded("group"))
    mock_preview(backends, preview)
    backends.get(f"{CONTACTS}/index-cases/{INDEX_ID}/cluster").mock(
        return_value=httpx.Response(200, json=RECORDED["cluster"])
    )
    found: dict[str, list[str]] = {}
    async with logged_in_chromium(served, login, "/requests") as browser:
        found["board"] = await look(browser, shots, "requests-board")
        await browser.go(f"{served}/requests/{draft['id']}")
        found["draft"] = await look(browser, shots, "request-draft")
        await browser.click("form[action$='/package'] button[type=submit]")
        await browser.wait_for("document.querySelector('code.password')")
        found["package"] = await look(browser, shots, "request-package")
        await browser.click("form[action$='/send_file'] button[type=submit]")
        await browser.wait_for("document.querySelector('.field-error')")
        found["send-refused"] = await look(browser, shots, "request-send-refused")
        await browser.go(f"{served}/requests/{sent['id']}")
        found["sent"] = await look(browser, shots, "request-sent")
        await browser.go(f"{served}/requests/{answered['id']}")
        found["answered"] = await look(browser, shots, "request-answered")
        await browser.go(f"{served}/requests/new?index_patient_id={INDEX_ID}")
        found["new"] = await look(browser, shots, "request-new")
        await browser.go(f"{served}/requests/incoming")
        found["incoming"] = await look(browser, shots, "request-incoming")
        await browser.go(f"{served}/requests/groups/{preview['group_id']}")
        found["group"] = await look(browser, shots, "group")
        await browser.go(f"{served}/requests/groups/{preview['group_id']}/imports/{preview['id']}")
        found["preview"] = await look(browser, shots, "group-import-preview")
        await browser.go(f"{served}/contacts/index-patients/{INDEX_ID}/cluster")
        found["cluster"] = await look(browser, shots, "cluster")
    assert found == {page: [] for page in found}, found


@pytest.mark.req("R27", partial=True)
async def test_a_group_left_for_its_index_patient_is_reached_again_from_the_contacts_page(
    served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
) -> None:
    settings.public_url = served
    mock_new(backends)
    group = recorded("group")
    mock_group(backends, group)
    listed = backends.routes["contact-groups"].mock(return_value=httpx.Response(200, json={"items": [group]}))
    async with logged_in_chromium(served, login, f"/requests/groups/{group['id']}") as browser:
        await browser.click(".breadcrumb a")
        await browser.wait_for("location.pathname === arguments[0]", f"/contacts/index-patients/{INDEX_ID}")
        assert listed.calls.last.request.url.params["index_patient_id"] == INDEX_ID
        assert await look(browser, shots, "contacts-of-index-groups") == []
        told = await browser.run("return document.querySelector(\"a[href='#groups-title']\").textContent;")
        assert told == "集団接触者（学級・職場など 1件）"
        link = f"#groups-title ~ ul a[href='/requests/groups/{group['id']}']"
        shown = await browser.run(f'return document.querySelector("{link}").textContent;')
        assert f"{group['name']}（名簿2人）" in shown
        await browser.run(f'document.querySelector("{link}").focus();')
        await browser.press("Enter")
        await browser.wait_for("location.pathname === arguments[0]", f"/requests/groups/{group['id']}")
        assert group["name"] in await browser.run("return document.querySelector('h1').textContent;")
