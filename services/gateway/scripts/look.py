"""Looks at the gateway in Chromium: logs in through Keycloak, screenshots each page and runs axe (WCAG 2.0 AA).

Needs the running stack (`uv run tbms stack up`), Debian's chromium and axe-core from npm:
    npm pack axe-core && tar xzf axe-core-*.tgz   # → package/axe.min.js
    uv run --with playwright python services/gateway/scripts/look.py --axe package/axe.min.js
Screenshots go to /tmp/tbms-shot-<page>.png; axe violations are printed and make the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from tbms_testing import fresh_totp

GATEWAY = "http://127.0.0.1:8000"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SHOTS = Path("/tmp")  # noqa: S108 - where the lead looks for the screenshots


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Saves a screenshot as /tmp/tbms-shot-<name>.png."""
    path = SHOTS / f"tbms-shot-{name}.png"
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
    page.wait_for_selector(".patient-header")
    return problems


def main() -> int:
    """Walks the pages and reports."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--axe", type=Path, required=True, help="axe.min.js from the npm package axe-core")
    parser.add_argument("--user", default="nurse1")
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP", bypass_csp=True)
        page = context.new_page()
        log_in(page, args.user)
        shot(page, "home")
        problems = axe(page, args.axe, "home")
        problems += register(page, args.axe)
        shot(page, "patient")
        problems += axe(page, args.axe, "patient")
        pdf = page.evaluate(
            """async () => { const form = document.querySelector('form[action$="/documents"]');
            const r = await fetch(form.action, {method: 'POST', body: new FormData(form)});
            return [r.status, r.headers.get('content-type'), r.headers.get('content-disposition'), r.url]; }"""
        )
        print(f"F03: {pdf}")
        page.set_viewport_size({"width": 375, "height": 800})
        shot(page, "patient-narrow")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.fill("#global-search-q", "試験")
        page.wait_for_timeout(1500)
        shot(page, "suggest", full_page=False)
        page.goto(f"{GATEWAY}/search?q=試験")
        shot(page, "search")
        problems += axe(page, args.axe, "search")
        page.goto(f"{GATEWAY}/patients")
        shot(page, "list")
        browser.close()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
