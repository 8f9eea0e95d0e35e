"""The manuals' walk in headless Chromium (N25): the pages the user and administrator manuals show, each with what
the manual's text says of it — the patient list and a patient's page, an index patient's contacts with the
registration open, a contact, the exam form opened from the plan, 接触者健診の一覧, 健診日の帳票, the 担当保健師
list as a nurse reads it and a 医療機関 row being corrected by an administrator. axe (WCAG 2.0 A/AA) finds nothing on
them. Screenshots go to $TBMS_SHOTS (else the test's temporary directory); scripts/build_manuals.py --shots copies
the ones the manuals show. Synthetic people only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from ...chromium import WIDTH, Chromium, axe_violations, look
from ...conftest import (
    MASTERS,
    NURSE_ROLES,
    PATIENT,
    PATIENTS,
    REPORTS,
    FakeKeycloakType,
    Login,
    logged_in_chromium,
    mock_patient_page,
    with_roles,
)
from ..contacts import conftest as contacts
from ..masters import conftest as masters

# masters' GET /masters/kinds as the service answers it (recorded from masters.master.kinds, all twelve kinds)
KINDS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "masters" / "masters_kinds.json").read_text(encoding="utf-8")
)
NURSES = [("n-setagaya", "世田谷 1班", "setagaya", "nurse1", "見本 保健師"),
          ("n-kitazawa", "北沢 2班", "kitazawa", "nurse2", "例示 看護")]  # fmt: skip
STAFF = {
    "items": [
        {"kind": "staff_assignment", "code": code, "name": name, "kana": "", "active": True, "version": 1,
         "valid_from": "2026-04-01", "valid_to": None,
         "data": {"district_code": district, "nurse_username": user, "nurse_name": nurse, "areas": ""}}
        for code, name, district, user, nurse in NURSES
    ],
    "total": len(NURSES),
}  # fmt: skip


def listed_patient(number: int, name: str, kana: str, **facts: Any) -> dict[str, Any]:
    """One row of patients' GET /patients (the list's facts: alerts in words, the next due date)."""
    own = {"id": f"5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a{number:02d}", "registration_no": f"2026-{number:05d}"}
    usual = {"activity": "active", "alerts": [], "alert_count": 0, "next_due_on": None}
    return PATIENT | own | usual | {"name": name, "name_kana": kana} | facts


# alerts as patients words them (patients.patient.alerts), one of each level the list shows
MDR_ALERT = {
    "level": "要対応",
    "message": "多剤耐性（INH・RFPともに耐性）の薬剤感受性結果があります（令和8年11月10日採取）。"
    "多剤耐性結核の治療になっているか主治医に確認し、治療の記録を更新してください。",
}
OVERDUE_ALERT = {
    "level": "注意",
    "message": "治療終了予定日（令和8年11月30日）を過ぎています。終了日と治療成績を入力するか、"
    "延長した場合は終了予定日を修正してください。",
}
PATIENTS_LISTED = [
    listed_patient(
        14, "見本 花子", "ミホン ハナコ", sex="female", birth_date="1988-07-14", registered_on="2026-11-28",
        nurse="nurse1", next_due_on="2026-12-12", alert_count=1, alerts=[MDR_ALERT],
    ),
    listed_patient(
        12, "例示 次郎", "レイジ ジロウ", birth_date="1949-01-20", district="北沢", nurse="nurse2",
        registered_on="2026-11-25", next_due_on="2026-12-20", alert_count=1, alerts=[OVERDUE_ALERT],
    ),
    listed_patient(1, PATIENT["name"], PATIENT["name_kana"], id=PATIENT["id"], nurse="nurse1"),
    listed_patient(
        9, "試験 三子", "シケン ミツコ", sex="female", birth_date="2001-10-03", category="ltbi", activity="ltbi",
        registered_on="2026-10-02", nurse="nurse1",
    ),
]  # fmt: skip
# 医療機関 as a nurse last corrected it, and its history, with the labels masters gives its items
CORRECTION = "form.form--wide [name='{}']"  # an input of the row's 登録内容 (the 終了する form has a reason too)
MOVED = {"field": "address", "label": "住所", "old": "東京都世田谷区若林1-1-1", "new": "東京都世田谷区世田谷1-2-3"}
INSTITUTION_HISTORY = {
    "items": [
        masters.HISTORY["items"][0] | {"changes": [MOVED]},
        masters.HISTORY["items"][1],
    ]
}


async def section_shot(browser: Chromium, shots: Path, name: str, element_id: str, height: int = 900) -> None:
    """A window-sized screenshot beginning at one element, below the sticky header of a patient or contact."""
    await browser.command("POST", "/window/rect", {"width": WIDTH, "height": height})
    await browser.run(
        "const el = document.getElementById(arguments[0]);"
        "const banner = document.querySelector('.patient-header');"
        "const cover = banner && getComputedStyle(banner).position === 'sticky' ? banner.offsetHeight : 0;"
        "window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - cover - 16);",
        element_id,
    )
    await browser.screenshot(shots / f"tbms-shot-{name}.png")
    await browser.command("POST", "/window/rect", {"width": WIDTH, "height": 900})
    await browser.run("window.scrollTo(0, 0);")


async def top_shot(browser: Chromium, shots: Path, name: str) -> list[str]:
    """The top of the page shown now in a 1280 × 900 window, then axe's findings on the whole page."""
    await browser.command("POST", "/window/rect", {"width": WIDTH, "height": 900})
    await browser.run("window.scrollTo(0, 0);")
    await browser.screenshot(shots / f"tbms-shot-{name}.png")
    return await axe_violations(browser)


def main_text(browser: Chromium) -> Any:
    """The text of the page's main part."""
    return browser.run("return document.querySelector('main').textContent;")


@pytest.mark.req("N25", partial=True)
class TestPatientPages:
    async def test_the_patient_list_with_its_alerts_and_a_patients_page(
        self, served: str, login: Login, backends: respx.MockRouter, shots: Path, last_login: respx.Route
    ) -> None:
        backends.routes["staff"].mock(return_value=httpx.Response(200, json=STAFF))
        page = {"items": PATIENTS_LISTED, "total": len(PATIENTS_LISTED)}
        backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(200, json=page))
        mock_patient_page(backends)
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, "/patients") as browser:
            text = await main_text(browser)
            assert "見本 花子" in text and "要対応" in text and "見本 保健師" in text, "alerts and nurses in words"
            found["patient-list"] = await look(browser, shots, "manual-patient-list")
            await browser.click(f"a[href='/patients/{PATIENT['id']}']")
            await browser.wait_for(f"location.pathname === '/patients/{PATIENT['id']}'")
            assert "2026-00001" in await main_text(browser)
            found["patient"] = await top_shot(browser, shots, "manual-patient")
        assert found == {key: [] for key in found}


@pytest.mark.req("N25", partial=True)
class TestContactPages:
    async def test_registration_contact_exam_form_list_and_the_screening_day(
        self, served: str, login: Login, backends: respx.MockRouter, shots: Path, last_login: respx.Route
    ) -> None:
        contacts.mock_contact(backends)
        contacts.mock_index(backends, [contacts.CONTACT, contacts.CHILD, contacts.ENDED])
        printed = {
            "id": "eeeeeeee-0000-4000-8000-000000000025", "kind": "F25", "title": "結核接触者健康診断 受付簿",
            "owner_type": "screening_day", "owner_label": "健診日", "owner_id": "f0f0f0f0-0000-5000-8000-000000000000",
            "patient_id": None, "template_version": "1+0a1b2c3d", "created_by_name": "見本 保健師",
            "created_at": "2026-12-14T00:30:00+00:00",
        }  # fmt: skip
        backends.get(f"{REPORTS}/documents").mock(return_value=httpx.Response(200, json={"items": [printed]}))
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, f"/contacts/index-patients/{contacts.INDEX_ID}") as browser:
            assert "全3人中" in await browser.wait_for("document.getElementById('contacts-caption').textContent")
            await browser.run("document.getElementById('new-form-title').closest('details').open = true;")
            await browser.type("#f-new-name", "見本 桃子")
            await browser.type("#f-new-name_kana", "ミホン モモコ")
            await browser.type("#f-new-birth_date", "H2.5.5")
            await browser.type("#f-new-exposure-last_contact_on", "R8.11.23")
            preview = "document.querySelector('#f-new-exposure-last_contact_on-preview').textContent"
            assert "令和8年11月23日（2026年11月23日）" in await browser.wait_for(preview)
            await section_shot(browser, shots, "manual-contact-register", "new-contact-title", height=1300)
            found["index"] = await axe_violations(browser)

            await browser.go(f"{served}/contacts/{contacts.CONTACT_ID}")
            heading = await browser.run("return document.getElementById('contact-header-name').textContent;")
            assert heading.startswith(contacts.CONTACT["name"])
            found["contact"] = await top_shot(browser, shots, "manual-contact")

            await browser.click("#plan-caption ~ tbody a[href*='kind=']")  # 「結果を入力」 of the first exam due
            await browser.wait_for("document.getElementById('exam-new-title').closest('details').open")
            assert await browser.run("return document.getElementById('f-exam-new-kind').value;") == "xray"
            await browser.type("#f-exam-new-done_on", "R8.12.3")
            await browser.run("document.getElementById('f-exam-new-result').value = 'normal';")  # 異常なし（X線）
            await browser.type("#f-exam-new-finding", "異常なし")
            await section_shot(browser, shots, "manual-contact-exam", "exams-title", height=1400)
            found["exam-form"] = await axe_violations(browser)

            await browser.go(f"{served}/contacts")
            caption = await browser.run("return document.getElementById('contacts-caption').textContent;")
            assert "接触者　全3人中" in caption
            found["contacts"] = await look(browser, shots, "manual-contacts-list")

            await browser.go(f"{served}/documents/screening-days?day=R8.12.14&place=世田谷保健所")
            text = await main_text(browser)
            assert "受付簿（F25）を印刷する" in text and "この日に印刷した帳票（1件）" in text
            found["screening-day"] = await top_shot(browser, shots, "manual-screening-day")
        assert found == {key: [] for key in found}


@pytest.mark.req("N25", partial=True)
class TestMasterPages:
    async def test_a_nurse_reads_the_staff_assignments(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        keycloak: FakeKeycloakType,
        shots: Path,
        last_login: respx.Route,
    ) -> None:
        with_roles(keycloak, [*NURSE_ROLES, "masters:read"])
        backends.get(f"{MASTERS}/masters/kinds").mock(return_value=httpx.Response(200, json=KINDS))
        backends.routes["staff"].mock(return_value=httpx.Response(200, json=STAFF))
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, "/masters") as browser:
            assert "自所の情報（レターヘッド）" in await main_text(browser), "every kind masters knows"
            found["menu"] = await top_shot(browser, shots, "manual-masters")
            await browser.click("a[href='/masters/staff_assignment']")
            await browser.wait_for("location.pathname === '/masters/staff_assignment'")
            text = await main_text(browser)
            assert "見本 保健師" in text and "この項目を修正する権限がありません" in text and "新規登録" not in text
            found["staff"] = await top_shot(browser, shots, "manual-masters-staff")
        assert found == {key: [] for key in found}

    async def test_an_administrator_corrects_an_institution(
        self,
        served: str,
        login: Login,
        backends: respx.MockRouter,
        keycloak: FakeKeycloakType,
        shots: Path,
        last_login: respx.Route,
    ) -> None:
        with_roles(keycloak, ["masters:update", "users:update", "patients:read", "contacts:read"])
        backends.get(f"{MASTERS}/masters/kinds").mock(return_value=httpx.Response(200, json=KINDS))
        row = masters.INSTITUTION | {"data": masters.INSTITUTION["data"] | {"tb_beds": True}}
        backends.get(masters.row_url()).mock(return_value=httpx.Response(200, json=row))
        backends.get(f"{masters.row_url()}/history").mock(return_value=httpx.Response(200, json=INSTITUTION_HISTORY))
        found: dict[str, list[str]] = {}
        async with logged_in_chromium(served, login, f"/masters/institution/{masters.CODE}") as browser:
            assert "医療機関：世田谷中央病院" in await browser.run("return document.querySelector('h1').textContent;")
            await browser.run("document.querySelector(arguments[0]).value = '';", CORRECTION.format("phone"))
            await browser.type(CORRECTION.format("phone"), "03-1111-3333")
            await browser.type(CORRECTION.format("reason"), "代表電話番号の変更（病院からの連絡）")
            text = await main_text(browser)
            assert "修正理由" in text and "終了する" in text and "移転により住所を変更" in text
            found["record"] = await look(browser, shots, "manual-masters-record")
        assert found == {key: [] for key in found}
