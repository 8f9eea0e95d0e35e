"""Looks at the gateway in Chromium: logs in through Keycloak, screenshots each page and runs axe (WCAG 2.0 AA).

Needs the running stack (`uv run tbms stack up`), Debian's chromium and axe-core from npm:
    npm pack axe-core && tar xzf axe-core-*.tgz   # → package/axe.min.js
    uv run --with playwright python services/gateway/scripts/look.py --axe package/axe.min.js
    uv run --with playwright python services/gateway/scripts/look.py --axe package/axe.min.js \
        --walk admin --user admin1 --out /tmp/shots      # ユーザ管理, 権限設定, ログイン履歴, 操作履歴
    uv run --with playwright python services/gateway/scripts/look.py --axe package/axe.min.js \
        --walk masters --user admin1 --out /tmp/shots    # マスタ管理 (imports synthetic rows), then nurse1's picker
Screenshots go to <out>/tbms-shot-<page>.png (default /tmp); axe violations are printed and make the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

import httpx
from playwright.sync_api import Page, Route, sync_playwright
from tbms_core.jp.check_digits import modulus10_check_digit
from tbms_testing import auth_headers, fresh_totp

GATEWAY = "http://127.0.0.1:8000"
PATIENTS = "http://127.0.0.1:8001"  # the stack's patients service: the walk adds care records through its API
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = [Path("/tmp")]  # noqa: S108 - where the lead looks for the screenshots (--out changes it)


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Saves a screenshot as <out>/tbms-shot-<name>.png."""
    path = SHOTS[0] / f"tbms-shot-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot {path}")


def axe(page: Page, axe_js: Path, name: str) -> int:
    """Runs axe with the WCAG 2.0 A and AA rules; prints and counts the violations."""
    page.add_script_tag(path=str(axe_js))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    violations = result["violations"]
    print(f"axe {name}: {len(violations)} violation(s), {len(result['passes'])} rule(s) passed")
    for v in violations:
        targets = [n["target"] for n in v["nodes"]][:5]
        print(f"  {v['id']} ({v['impact']}): {v['help']} {json.dumps(targets, ensure_ascii=False)}")
    return len(violations)


def log_in(page: Page, username: str) -> None:
    """Logs in through Keycloak's pages: password, then the TOTP code."""
    page.goto(f"{GATEWAY}/")
    if "/welcome" in page.url:  # the 利用上の注意 page comes first when the gateway is set up so
        shot(page, "welcome", full_page=False)
        page.click("a.button:has-text('ログインする')")
    page.wait_for_selector("#username")
    shot(page, "login", full_page=False)
    page.fill("#username", username)
    page.fill("#password", "Tbms-Demo-2026!")
    page.click("#kc-login")
    page.wait_for_selector("#otp")
    for _ in range(2):
        page.fill("#otp", fresh_totp(username))
        page.click("#kc-login")
        page.wait_for_load_state("networkidle")
        if page.url.startswith(GATEWAY):
            return
    shot(page, "login-failed")
    raise SystemExit(f"login failed at {page.url}")


def register(page: Page, axe_js: Path) -> int:
    """The registration form: empty, refused with messages, then accepted; returns axe violations."""
    page.goto(f"{GATEWAY}/patients/new")
    problems = axe(page, axe_js, "registration")
    page.fill("#f-name", "試験 太郎")
    page.fill("#f-name_kana", "shiken")
    page.fill("#f-birth_date", "H32.1.1")
    page.fill("#f-address", "東京都世田谷区世田谷4-21-27")
    page.select_option("#f-district", "世田谷")
    page.click("button[type=submit]:has-text('登録する')")
    page.wait_for_selector("#error-summary")
    shot(page, "register-error")
    problems += axe(page, axe_js, "registration with errors")
    page.fill("#f-name_kana", "しけん たろう")
    page.fill("#f-birth_date", "S45.3.1")
    page.wait_for_selector(".preview__ok")
    page.check("#f-sex-0")
    page.click("button[type=submit]:has-text('登録する')")
    page.wait_for_selector(".patient-header, #f-confirm_distinct")
    if page.locator("#f-confirm_distinct").count():  # an earlier walk registered the same person
        shot(page, "register-duplicates")
        problems += axe(page, axe_js, "registration with possible duplicates")
        page.check("#f-confirm_distinct")
        page.locator("button[type=submit]:has-text('登録する')").first.click()
        page.wait_for_selector(".patient-header")
    return problems


def look_at(page: Page, axe_js: Path, path: str, name: str) -> int:
    """Opens a page, screenshots it and runs axe on it."""
    page.goto(f"{GATEWAY}{path}")
    shot(page, name)
    return axe(page, axe_js, name)


def admin_pages(page: Page, axe_js: Path) -> int:
    """ユーザ管理, 権限設定, ログイン履歴, 操作履歴 (an administrator's walk); returns axe violations."""
    problems = look_at(page, axe_js, "/admin/users", "admin-users")
    page.goto(f"{GATEWAY}/admin/users?q=nurse1")
    page.click("tbody a")
    page.wait_for_selector("#account-title")
    shot(page, "admin-user")
    problems += axe(page, axe_js, "admin-user")
    page.click("a:has-text('このユーザの権限設定')")
    page.wait_for_selector(".access-grid")
    shot(page, "admin-user-access")
    problems += axe(page, axe_js, "admin-user-access")
    problems += look_at(page, axe_js, "/admin/users/new", "admin-user-new")
    page.fill("#f-username", "Bad Name")
    page.check("#f-password_mode-1")
    page.click("button[type=submit]:has-text('登録する')")
    page.wait_for_selector("#error-summary")
    shot(page, "admin-user-new-error")
    problems += axe(page, axe_js, "admin-user-new with errors")
    problems += look_at(page, axe_js, "/admin/access", "admin-access")
    page.click("a:has-text('保健師の権限を変更')")
    page.wait_for_selector(".access-grid")
    shot(page, "admin-access-group")
    problems += axe(page, axe_js, "admin-access-group")
    problems += look_at(page, axe_js, "/admin/logins", "admin-logins")
    problems += look_at(page, axe_js, "/admin/logins?from=R8.2.30", "admin-logins-error")
    problems += look_at(page, axe_js, "/admin/audit", "admin-audit")
    person = page.locator("tbody a[href*='disclosure']").first
    if person.count():
        person.click()
        page.wait_for_selector("#disclosure-caption")
        shot(page, "admin-disclosure")
        problems += axe(page, axe_js, "admin-disclosure")
    problems += look_at(page, axe_js, "/admin/audit/verify", "admin-verify")
    problems += look_at(page, axe_js, "/admin/changes", "admin-changes")
    problems += look_at(page, axe_js, "/admin/operations", "admin-operations")
    return problems + access_review(page, axe_js) + session_warning(page, axe_js)


def access_review(page: Page, axe_js: Path) -> int:
    """不審なアクセスの確認: a person of the history protected, the analysis run, a finding, the summary."""
    page.goto(f"{GATEWAY}/admin/audit")
    person = page.locator("tbody a[href*='disclosure']").first
    problems = look_at(page, axe_js, "/admin/access-review/protected", "admin-review-protected")
    if person.count():
        page.goto(f"{GATEWAY}/admin/audit")
        person_id = person.inner_text().strip()
        page.goto(f"{GATEWAY}/admin/access-review/protected")
        page.fill("#protect-person_id", person_id)
        page.fill("#protect-reason", "職員（画面確認用）")
        page.click("button[type=submit]:has-text('登録する')")
    page.goto(f"{GATEWAY}/admin/access-review")
    page.click("button:has-text('今すぐ分析する')")
    problems += look_at(page, axe_js, "/admin/access-review", "admin-review")
    finding = page.locator("tbody a[href^='/admin/access-review/']").first
    if finding.count():
        finding.click()
        page.wait_for_selector("#evidence-caption")
        page.click("button[type=submit]:has-text('確認結果を保存する')")
        page.wait_for_selector("#error-summary")
        shot(page, "admin-review-finding-error")
        problems += axe(page, axe_js, "admin-review-finding with errors")
    problems += look_at(page, axe_js, "/admin/access-review/summary", "admin-review-summary")
    return problems + look_at(page, axe_js, "/admin/rights-review", "admin-rights-review")


def session_warning(page: Page, axe_js: Path) -> int:
    """The idle-timeout warning as it appears 100 s before the end, then 「延長する」 for real."""

    def nearly_timed_out(route: Route) -> None:
        response = route.fetch()
        body = re.sub(r'data-session-remaining="\d+"', 'data-session-remaining="100"', response.text())
        route.fulfill(response=response, body=body)

    page.route(f"{GATEWAY}/", nearly_timed_out)
    page.route(f"{GATEWAY}/session/remaining", lambda r: r.fulfill(json={"remaining_seconds": 95, "extendable": True}))
    page.goto(f"{GATEWAY}/")
    page.wait_for_selector("#session-timeout[open]")
    shot(page, "session-warning", full_page=False)
    problems = axe(page, axe_js, "session-warning")
    page.unroute_all()
    page.click("#session-extend")
    page.wait_for_selector("#session-timeout:not([open])", state="attached")
    print(f"after 延長する: {page.text_content('#session-status')!r}")
    return problems


def care_and_alerts(page: Page, axe_js: Path) -> int:
    """Gives the patient just registered a long-overdue course, a 37条の2 cover ending soon and a corrected course,
    then looks at the header's cover and alerts, one record's history and the export page."""
    patient_id = page.url.split("/patients/")[1].split("#")[0].split("?")[0]
    headers = auth_headers("nurse1")
    with httpx.Client(base_url=f"{PATIENTS}/patients/{patient_id}", headers=headers, timeout=30) as api:
        course = {"regimen": "2HREZ/4HR", "started_on": "2026-05-01", "planned_end_on": "2026-10-31"}
        treatment = api.post("/treatments", json=course).raise_for_status().json()
        cover = {"basis": "37-2", "status": "approved", "applied_on": "2026-06-01"}
        api.post("/public-expenses", json=cover | {"valid_from": "2026-06-01", "valid_to": "2026-11-30"})
        fix = {"version": 1, "changes": {"institution": "試験病院"}, "reason": "医療機関の入力漏れ"}
        api.patch(f"/treatments/{treatment['id']}", json=fix).raise_for_status()
    page.goto(f"{GATEWAY}/patients/{patient_id}")
    shot(page, "patient-alerts", full_page=False)
    problems = axe(page, axe_js, "patient with alerts and cover")
    page.locator("#public-expenses-title").scroll_into_view_if_needed()
    shot(page, "patient-public-expense", full_page=False)
    problems += look_at(page, axe_js, f"/patients/{patient_id}/history/print?record={treatment['id']}", "history-one")
    return problems + look_at(page, axe_js, "/patients/export", "export")


def contacts_pages(page: Page, axe_js: Path) -> int:
    """The new patient's 接触者 page with a contact registered on it, the contact's page, the screening list;
    ends back on the patient page."""
    patient = page.url
    page.click("a[href^='/contacts/index-patients/']")
    page.wait_for_selector("h1")
    shot(page, "contacts-index")
    problems = axe(page, axe_js, "contacts-index")
    name = page.locator("input[name=name]")
    if name.count():
        name.evaluate("input => input.closest('details')?.setAttribute('open', '')")
        name.fill("試験 接触子")
        page.fill("input[name=name_kana]", "シケン セッショクコ")
        page.fill("input[name=birth_date]", "H2.4.1")
        page.select_option("select[name='exposure.setting']", index=1)
        page.fill("input[name='exposure.last_contact_on']", "R8.11.20")
        name.evaluate("input => input.form.requestSubmit()")
        page.wait_for_load_state()
        shot(page, "contacts-registered")
        problems += axe(page, axe_js, "contacts-registered")
        link = page.locator("tbody a[href^='/contacts/']").first
        if link.count():
            link.click()
            page.wait_for_load_state()
            shot(page, "contact")
            problems += axe(page, axe_js, "contact")
    problems += look_at(page, axe_js, "/contacts", "contacts-list")
    page.goto(patient)
    return problems


def workflow_pages(page: Page, axe_js: Path) -> int:
    """予定 of the nurse's district, and the new patient put into 回議, then the inbox; ends on the patient."""
    patient = page.url
    problems = look_at(page, axe_js, "/todos?scope=team", "todos")
    patient_id = patient.rstrip("/").rsplit("/", 1)[-1]
    page.goto(f"{GATEWAY}/circulations/new?service=patients&record_kind=patient&record_id={patient_id}"
              "&record_version=1&title=画面確認用の回議&document_type=patient")  # fmt: skip
    shot(page, "circulation-new")
    problems += axe(page, axe_js, "circulation-new")
    page.click("button[type=submit]:has-text('回議に出す')")
    page.wait_for_load_state()
    shot(page, "circulation")
    problems += axe(page, axe_js, "circulation")
    problems += look_at(page, axe_js, "/circulations", "circulations-inbox")
    page.goto(patient)
    return problems


def nurse_pages(page: Page, axe_js: Path) -> int:
    """Home, registration, the patient page, search (a nurse's walk); returns axe violations."""
    shot(page, "home")
    problems = axe(page, axe_js, "home")
    problems += register(page, axe_js)
    shot(page, "patient")
    problems += axe(page, axe_js, "patient")
    pdf = page.evaluate(
        """async () => { const form = document.querySelector('form[action$="/documents"]');
        const r = await fetch(form.action, {method: 'POST', body: new FormData(form)});
        return [r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), r.url]; }"""
    )
    print(f"F03: {pdf}")
    problems += contacts_pages(page, axe_js)
    problems += workflow_pages(page, axe_js)
    page.set_viewport_size({"width": 375, "height": 800})
    shot(page, "patient-narrow")
    page.set_viewport_size({"width": 1280, "height": 900})
    problems += care_and_alerts(page, axe_js)
    page.fill("#global-search-q", "試験")
    page.wait_for_timeout(1500)
    shot(page, "suggest", full_page=False)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    shot(page, "suggest-selected", full_page=False)
    page.goto(f"{GATEWAY}/search/advanced?q=試験&types=patient")
    shot(page, "search-advanced")
    problems += axe(page, axe_js, "search-advanced")
    page.goto(f"{GATEWAY}/search?q=試験")
    shot(page, "search")
    problems += axe(page, axe_js, "search")
    page.goto(f"{GATEWAY}/patients")
    shot(page, "list")
    return problems


def institution_codes(count: int) -> list[str]:
    """Random 医療機関コード of 東京都 with their 検証番号, in 郡市区 90–98 (not real ones)."""
    bodies = [f"{random.randint(90, 98)}{random.randint(0, 9999):04d}" for _ in range(count)]  # noqa: S311 - not secret
    return [f"131{body}{modulus10_check_digit(body)}" for body in bodies]


def masters_pages(page: Page, axe_js: Path, tmp: Path) -> int:
    """医療機関 of マスタ管理: the list, an import's preview, then a row corrected with its history (an
    administrator's walk; the rows are synthetic, 試験画面…); returns axe violations."""
    problems = look_at(page, axe_js, "/masters", "masters-menu")
    problems += look_at(page, axe_js, "/masters/institution", "masters-list")
    codes = institution_codes(3)
    rows = [
        f"{code},試験画面{code[-5:]}医院,シケンガメン,東京都架空区試験町7-7-{i},03-0000-700{i},診療所"
        for i, code in enumerate(codes)
    ]
    upload = tmp / "試験医療機関.csv"  # left beside the screenshots: what the preview shows
    upload.write_text("\n".join(["医療機関コード,名称,カナ,住所,電話番号,種別", *rows]) + "\n", encoding="utf-8")
    page.goto(f"{GATEWAY}/masters/institution/import")
    page.set_input_files("input[type=file]", str(upload))
    page.click("button[type=submit]:has-text('内容を確認する')")
    page.wait_for_selector("#preview-caption")
    shot(page, "masters-import-preview")
    problems += axe(page, axe_js, "masters-import-preview")
    page.click("button[type=submit]:has-text('取り込む')")
    page.wait_for_selector("#masters-caption")
    page.goto(f"{GATEWAY}/masters/institution/{codes[0]}")
    page.fill("input[name=phone]", "03-0000-7100")
    page.fill("input[name=reason]", "電話番号の変更（画面確認用）")
    page.click("button[type=submit]:has-text('保存する')")
    page.wait_for_selector("#history-title")
    shot(page, "masters-record")
    problems += axe(page, axe_js, "masters-record")
    page.fill("input[name=phone]", "03-0000-71")
    page.fill("input[name=reason]", "")
    page.click("button[type=submit]:has-text('保存する')")
    page.wait_for_selector("#error-summary")
    shot(page, "masters-record-error")
    return problems + axe(page, axe_js, "masters-record with errors")


def picker(page: Page, axe_js: Path) -> int:
    """The 医療機関 picker of a patient card's 届出 with two characters typed (a nurse's view)."""
    page.goto(f"{GATEWAY}/patients")
    page.locator("tbody a[href^='/patients/']").first.click()
    page.wait_for_selector("#notification-edit-title")
    page.click("summary:has(#notification-edit-title)")
    box = page.locator("input[name='notification.institution_name']")
    box.evaluate("input => window.scrollTo(0, input.getBoundingClientRect().top + window.scrollY - 300)")
    box.fill("")
    box.press_sequentially("試験", delay=100)
    page.wait_for_selector("[role=listbox] [role=option]")
    shot(page, "masters-picker", full_page=False)
    return axe(page, axe_js, "masters-picker")


def main() -> int:
    """Walks the pages and reports."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--axe", type=Path, required=True, help="axe.min.js from the npm package axe-core")
    parser.add_argument("--user", help="who logs in (default: admin1 for the admin and masters walks, else nurse1)")
    parser.add_argument("--walk", choices=("nurse", "admin", "masters"), default="nurse")
    parser.add_argument("--out", type=Path, default=SHOTS[0], help="where the screenshots go")
    args = parser.parse_args()
    args.user = args.user or ("admin1" if args.walk in ("admin", "masters") else "nurse1")
    args.out.mkdir(parents=True, exist_ok=True)
    SHOTS[0] = args.out
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True)
        page = context.new_page()
        log_in(page, args.user)
        if args.walk == "masters":
            problems = masters_pages(page, args.axe, args.out)
            nurse = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True)
            log_in(nurse.new_page(), "nurse1")
            problems += picker(nurse.pages[0], args.axe)
        elif args.walk == "admin":
            problems = admin_pages(page, args.axe)
        else:
            problems = nurse_pages(page, args.axe)
        browser.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
