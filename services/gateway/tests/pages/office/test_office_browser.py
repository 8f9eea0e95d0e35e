"""The office walk in headless Chromium (issue 23): registration from the keyboard (focus on 氏名, Enter moves on,
肺外 fields only for 肺外, 郵便番号 → 住所, the 外字 warning, a draft that survives a reload, the confirmation step,
the 「登録しました」 message taking the focus), the saved message inside the saved section, the role badge, the
patient page at 683 px (banner not sticky, axe clean), F03 opening in a new tab and the accessibility page one click
from the footer, a contact's page with its screening plan and a master's list with its ended rows. axe (WCAG 2.0
A/AA) finds nothing on any page, at 1280 and 683 px.
Screenshots go to $TBMS_SHOTS (else the test's temporary directory) to be looked at."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...chromium import Chromium, axe_violations, look
from ...conftest import (
    IDENTITY,
    MASTERS,
    NURSE_ROLES,
    PATIENT,
    PATIENT_ID,
    PATIENTS,
    REPORTS,
    FakeKeycloakType,
    Login,
    logged_in_chromium,
    mock_patient_page,
    mock_usage,
    with_roles,
)
from ..contacts import conftest as contacts
from ..masters import conftest as masters

ACTIVE_ID = "return document.activeElement ? document.activeElement.id : '';"


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


async def narrow(browser: Chromium, shots: Path, name: str, width: int = 683) -> list[str]:
    """The page at a narrow width (683 px = a 1366 px screen at 200 %): a screenshot, then axe's findings."""
    await browser.command("POST", "/window/rect", {"width": width, "height": 900})
    await browser.screenshot(shots / f"tbms-shot-{name}.png")
    found = await axe_violations(browser)
    await browser.command("POST", "/window/rect", {"width": 1280, "height": 900})
    return found


@pytest.mark.req("R27", partial=True)
@pytest.mark.req("N27", partial=True)
@pytest.mark.req("N26", partial=True)
@pytest.mark.req("N10", partial=True)
class TestRegistrationFromTheKeyboard:
    async def test_a_nurse_registers_with_the_keyboard_through_the_confirmation_step(
        self, served: str, login: Login, backends: respx.MockRouter, shots: Path, settings: Settings
    ) -> None:
        settings.public_url = served
        registered = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
        mock_patient_page(backends)
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, "/patients/new") as browser:
            await browser.run("window.localStorage.clear();")
            await browser.go(f"{served}/patients/new")
            assert await browser.run(ACTIVE_ID) == "f-name", "氏名 takes the focus when the page opens"
            await browser.click("form[data-draft] button[type=submit]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'error-summary'")
            summary = await browser.run("return document.getElementById('error-summary').textContent;")
            assert "入力内容を確認してください" in summary and "氏名：氏名を入力してください。" in summary
            assert "性別：性別を選んでください。" in summary and (await browser.url()).endswith("/patients/new")
            assert not registered.called, "the browser checks before anything is sent"
            await browser.run("document.getElementById('f-name').focus();")
            assert await browser.run("return document.getElementById('role-badge').textContent;") == "権限保健師"
            await browser.type("#f-name", "試験　　𠮷子")
            await browser.wait_for("document.getElementById('f-name-chars').textContent.includes('〓')")
            await browser.press("Enter")
            assert await browser.run(ACTIVE_ID) == "f-name_kana", "Enter moves on, it does not send the form"
            assert (await browser.url()).endswith("/patients/new") and not registered.called
            await browser.type("#f-name_kana", "シケン　ヨシコ")
            await browser.click("input[name=sex][value=female]")
            await browser.type("#f-birth_date", "S450301")
            preview = "document.getElementById('f-birth_date-preview').textContent"
            await browser.wait_for(f"{preview}.includes('1970年3月1日')")
            sites = "document.querySelector('[data-shown-when]')"
            assert await browser.run(f"return {sites}.hidden;"), "no 肺外 fields before 肺外 is chosen"
            await browser.click("input[name='disease.form'][value=extrapulmonary]")
            assert not await browser.run(f"return {sites}.hidden;")
            await browser.type("#f-postal_code", "154-0017")
            await browser.wait_for("document.getElementById('f-address').value === '東京都世田谷区世田谷'")
            found["entry"] = await look(browser, shots, "registration-entry")

            await browser.go(f"{served}/patients/new")  # as after an idle timeout and a new login
            await browser.wait_for("document.querySelector('.draft-notice')")
            assert await browser.run("return document.getElementById('f-name').value;") == "試験　　𠮷子"
            assert await browser.run("return document.getElementById('f-address').value;") == "東京都世田谷区世田谷"

            await browser.click("form[data-draft] button[type=submit]")
            await browser.wait_for("document.querySelector('h1').textContent === '患者登録（確認）'")
            assert await browser.run(ACTIVE_ID) == "confirm-notice"
            page = await browser.run("return document.querySelector('main').textContent;")
            assert "昭和45年3月1日（1970年3月1日）" in page and "〓子" in page and not registered.called
            found["confirm"] = await look(browser, shots, "registration-confirm")
            await browser.click("button[name=step][value=confirmed]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'flash'")
            assert "登録しました" in await browser.run("return document.getElementById('flash').textContent;")
            sent = json.loads(registered.calls.last.request.content)
            assert sent["name"] == "試験　　𠮷子" and sent["disease"]["form"] == "extrapulmonary"
            assert sent["address"] == "東京都世田谷区世田谷" and sent["birth_date"] == "S450301"
            drafts = "return Object.keys(window.localStorage).filter(k => k.startsWith('tbms-draft:')).length;"
            assert await browser.run(drafts) == 0, "the draft goes once the registration is saved"
            found["saved"] = await look(browser, shots, "registration-saved")
        assert found == {key: [] for key in found}


@pytest.mark.req("R27", partial=True)
@pytest.mark.req("N10", partial=True)
@pytest.mark.req("N12", partial=True)
@pytest.mark.req("N27", partial=True)
@pytest.mark.req("N31", partial=True)
class TestPatientPageAndPrinting:
    async def test_saved_section_narrow_window_new_tab_and_the_accessibility_page(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        shots: Path,
        settings: Settings,
        last_login: respx.Route,
    ) -> None:
        settings.public_url = served
        mock_patient_page(backends)
        backends.patch(f"{PATIENTS}/patients/{PATIENT_ID}").mock(
            return_value=httpx.Response(200, json=PATIENT | {"version": 2})
        )
        document_id = str(uuid.uuid4())
        created = backends.post(f"{REPORTS}/documents").mock(
            return_value=httpx.Response(201, json={"id": document_id, "form": "F03"})
        )
        meta = {"id": document_id, "form": "F03", "patient_id": PATIENT_ID, "registration_no": "2026-00001"}
        backends.get(f"{REPORTS}/documents/{document_id}").mock(return_value=httpx.Response(200, json=meta))
        backends.get(f"{REPORTS}/documents/{document_id}/content").mock(
            return_value=httpx.Response(200, content=tiny_pdf("F03 test"), headers={"content-type": "application/pdf"})
        )
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, f"/patients/{PATIENT_ID}") as browser:
            await browser.run("document.querySelector('#edit-title').closest('details').open = true;")
            await browser.click("form[action$='/edit'] button[type=submit]")
            await browser.wait_for("document.activeElement && document.activeElement.id === 'flash'")
            flash = "document.getElementById('flash')"
            in_section = f"document.getElementById('basic-title').parentElement.contains({flash})"
            assert await browser.run(f"return {in_section};"), "the message stands in the section that was saved"
            top = await browser.run("return document.getElementById('flash').getBoundingClientRect().top;")
            banner = "document.querySelector('.patient-header')"
            header = await browser.run(f"return {banner}.getBoundingClientRect().bottom;")
            assert top >= header, "the message is not hidden under the sticky patient header"
            found["saved"] = await look(browser, shots, "patient-saved")

            await browser.command("POST", "/window/rect", {"width": 683, "height": 900})
            position = "return getComputedStyle(document.querySelector('.patient-header')).position;"
            assert await browser.run(position) == "static", "the banner does not stay on a narrow screen"
            found["patient-683"] = await narrow(browser, shots, "patient-683")

            before = await browser.command("GET", "/window/handles")
            await browser.run("document.querySelector('#forms-title ~ form button[type=submit]').focus();")
            await browser.press("Enter")  # from the keyboard
            for _ in range(100):
                if len(await browser.command("GET", "/window/handles")) > len(before) and created.called:
                    break
                await asyncio.sleep(0.05)
            handles = await browser.command("GET", "/window/handles")
            assert len(handles) == len(before) + 1 and created.called, "F03 opens in a new tab"
            assert f"/patients/{PATIENT_ID}" in await browser.url(), "the application stays open"
            await browser.command("POST", "/window", {"handle": handles[-1]})
            await browser.wait_for("location.pathname.startsWith('/documents/')")
            assert (await browser.url()).endswith(f"/documents/{document_id}"), "the new tab shows the PDF"
            await browser.screenshot(shots / "tbms-shot-print-tab.png")
            await browser.command("POST", "/window", {"handle": before[0]})

            await browser.click(".footer-links a[href='/accessibility']")
            await browser.wait_for("document.querySelector('h1').textContent === 'アクセシビリティ方針'")
            found["accessibility"] = await look(browser, shots, "accessibility")
            found["accessibility-683"] = await narrow(browser, shots, "accessibility-683")
            await browser.go(f"{served}/")
            await browser.wait_for("document.readyState === 'complete'")
            assert "エラー" not in await browser.run("return document.title;")
            await browser.run("document.body.focus();")
            await browser.run("document.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}));")
            assert await browser.run(ACTIVE_ID) == "global-search-q", "「/」 goes to the search box"
            found["home"] = await look(browser, shots, "home")
            found["home-683"] = await narrow(browser, shots, "home-683")
        assert found == {key: [] for key in found}


# masters' 医療機関 as GET /masters/kinds describes it: the items its list shows (種別, 住所, 電話番号, 結核指定…)
INSTITUTION_KIND = masters.INSTITUTION_KIND | {
    "fields": [
        {"key": "address", "label": "住所", "type": "text"},
        {"key": "phone", "label": "電話番号", "type": "text", "hint": "例: 03-1234-5678"},
        {"key": "type", "label": "種別", "type": "choice", "required": True,
         "choices": {"hospital": "病院", "clinic": "診療所", "pharmacy": "薬局"}},
        {"key": "designated", "label": "結核指定医療機関", "type": "bool", "hint": "感染症法38条の指定"},
    ]
}  # fmt: skip
# 旧北沢診療所, ended on 2025-03-31: the list shows it only with 「終了したものも表示」
CLOSED_CLINIC = masters.ENDED | {
    "data": masters.ENDED["data"] | {"address": "東京都世田谷区北沢2-3-4", "phone": "03-3333-4444"}
}


@pytest.mark.req("R12", partial=True)
@pytest.mark.req("R25", partial=True)
@pytest.mark.req("N10", partial=True)
class TestContactAndMasterPages:
    async def test_a_contact_with_the_plan_and_a_master_list_with_its_ended_rows(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        keycloak: FakeKeycloakType,
        shots: Path,
        last_login: respx.Route,
    ) -> None:
        with_roles(keycloak, [*NURSE_ROLES, "masters:update"])
        contacts.mock_contact(backends)
        contacts.mock_index(backends, [contacts.CONTACT, contacts.CHILD])
        backends.get(f"{MASTERS}/masters/kinds").mock(return_value=httpx.Response(200, json=[INSTITUTION_KIND]))

        def institutions(request: httpx.Request) -> httpx.Response:
            rows = [masters.INSTITUTION]
            if request.url.params.get("include_ended") == "true":
                rows.append(CLOSED_CLINIC)
            return httpx.Response(200, json={"items": rows, "total": len(rows)})

        listed = backends.get(f"{MASTERS}/masters/institution").mock(side_effect=institutions)
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, f"/contacts/index-patients/{contacts.INDEX_ID}") as browser:
            index = "document.getElementById('contacts-caption').textContent"
            assert "全2人中" in await browser.wait_for(index)
            found["contacts-of-index"] = await axe_violations(browser)
            await browser.click(f"#contacts-caption ~ tbody a[href='/contacts/{contacts.CONTACT_ID}']")
            await browser.wait_for(f"location.pathname === '/contacts/{contacts.CONTACT_ID}'")
            heading = await browser.run("return document.getElementById('contact-header-name').textContent;")
            assert heading.startswith(contacts.CONTACT["name"])
            plan = await browser.run("return document.getElementById('plan-caption').closest('table').textContent;")
            assert "胸部X線" in plan and "IGRA" in plan and "IGRA陽性" in plan, "each date with its reason"
            await browser.run("document.getElementById('plan-title').scrollIntoView();")
            await browser.screenshot(shots / "tbms-shot-contact-plan.png")
            found["contact"] = await axe_violations(browser)

            await browser.go(f"{served}/masters")
            await browser.click("a[href='/masters/institution']")
            caption = "document.getElementById('masters-caption').textContent"
            assert "（今日有効なもの）" in await browser.wait_for(caption)
            today = await browser.run("return document.querySelector('tbody').textContent;")
            assert "世田谷中央病院" in today and "旧北沢診療所" not in today, "an ended row only when asked for"
            await browser.click("#masters-ended")
            await browser.click("form[action='/masters/institution'] button[type=submit]")
            await browser.wait_for("location.search.includes('include_ended=1')")
            ended = await browser.run("return document.querySelector('tbody tr:nth-child(2)').textContent;")
            assert "旧北沢診療所" in ended and "終了" in ended and "令和7年3月31日" in ended
            assert listed.calls.last.request.url.params["include_ended"] == "true"
            found["masters-institution"] = await look(browser, shots, "masters-institution")
        assert found == {key: [] for key in found}


SWEPT = (
    "/",
    "/patients/new",
    "/patients",
    f"/patients/{PATIENT_ID}",
    f"/patients/{PATIENT_ID}/history/print",
    "/help",
    "/help/faq",
    "/help/pages/patients-new",
    "/help/manuals/user",
    "/help/manuals/admin",
    "/help/manuals/operations",
    "/notices",
    "/accessibility",
    "/admin/help",
    "/admin/help/notices",
    "/admin/usage",
    "/admin/operations-log",
    "/patients/export",
    "/search/advanced",
)


@pytest.mark.req("N10", partial=True)
@pytest.mark.req("N12", partial=True)
@pytest.mark.req("N31", partial=True)
class TestPagesAtBothWidths:
    async def test_axe_finds_nothing_at_1280_and_683_px(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        keycloak: FakeKeycloakType,
        shots: Path,
        last_login: respx.Route,
    ) -> None:
        with_roles(keycloak, [*NURSE_ROLES, "users:update", "audit:read"])
        mock_patient_page(backends)
        nothing = httpx.Response(200, json={"items": []})
        backends.get(f"{IDENTITY}/logins").mock(return_value=nothing)
        backends.get(f"{IDENTITY}/audit/events").mock(return_value=nothing)
        mock_usage(backends)  # 利用統計's twelve months
        entry = {"occurred_at": "2026-12-01T01:00:00Z", "kind": "component_down", "component": "search",
                 "details": {"url": "http://search:8000/health/ready", "error": "HTTP 503"}}  # fmt: skip
        component = {"component": "search", "up": False, "since": "2026-12-01T01:00:00Z",
                     "checked_at": "2026-12-01T01:05:00Z"}  # fmt: skip
        log = {"items": [entry] * 50, "total": 120, "offset": 0, "limit": 50, "components": [component],
               "retention_days": 1096.0}  # fmt: skip
        backends.get(f"{IDENTITY}/operations-log").mock(return_value=httpx.Response(200, json=log))
        backends.get(f"{PATIENTS}/patients").mock(
            return_value=httpx.Response(200, json={"items": [PATIENT] * 3, "total": 120})
        )
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, "/") as browser:
            for path in SWEPT:
                await browser.go(f"{served}{path}")
                title = await browser.run("return document.title;")
                assert "エラー" not in title and "見つかりません" not in title, path
                found[path] = await axe_violations(browser)
                found[f"{path} @683"] = await narrow(browser, shots, "sweep-" + path.strip("/").replace("/", "-"))
                wide = "return document.documentElement.scrollWidth <= window.innerWidth + 1;"
                await browser.command("POST", "/window/rect", {"width": 683, "height": 900})
                assert await browser.run(wide), f"{path} scrolls sideways at 683 px"
                await browser.command("POST", "/window/rect", {"width": 1280, "height": 900})
        assert found == {key: [] for key in found}
