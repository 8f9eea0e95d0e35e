"""Regenerates the published accessibility test results (N31) with one command:

    uv run python scripts/accessibility_report.py

It runs the gateway's browser tests (headless Chromium with axe-core, WCAG 2.0 A/AA rules, at 1280 and 683 px),
collects every page they checked, adds the recorded human check list (docs/accessibility/human_checks.json) and
writes services/gateway/src/gateway/texts/accessibility_results.json, which the accessibility page shows.
Exit status 1 when axe found anything or a test failed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tbms_core import clock

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "services" / "gateway" / "src" / "gateway" / "texts" / "accessibility_results.json"
HUMAN = ROOT / "docs" / "accessibility" / "human_checks.json"
BROWSER_TESTS = (
    "services/gateway/tests/pages/test_every_page_browser.py",  # every page read from the gateway's routes
    "services/gateway/tests/pages/office/test_office_browser.py",
    "services/gateway/tests/pages/contacts/test_contact_browser.py",
    "services/gateway/tests/pages/dots/test_dots_browser.py",
    "services/gateway/tests/pages/followup/test_followup_browser.py",
    "services/gateway/tests/pages/search/test_search_box.py",
    "services/gateway/tests/pages/patients/test_card_pickers.py",
    "services/gateway/tests/pages/patients/test_care_pickers.py",
    "tests/test_login_theme.py::TestLoginPagesPassAxe",  # Keycloak's login pages in the system's theme
)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Pages of one record are named by what they are, never by the (synthetic) person the test showed.
RECORD_PAGES = {
    "/patients/{id}": "患者の画面",
    "/patients/{id}/history/print": "修正履歴（印刷用）",
    "/contacts/{id}": "接触者の画面",
    "/contacts/index-patients/{id}": "発端患者の接触者",
    "/dots/patients/{id}": "服薬支援（患者ごと）",
    "/dots/patients/{id}/calendar": "服薬確認のカレンダー",
    "/dots/patients/{id}/plan": "支援計画",
    "/dots/patients/{id}/assessment": "DOTSアセスメント",
    "/dots/patients/{id}/outcomes/{id}": "コホート判定",
    "/followup/patients/{id}": "管理検診（患者ごと）",
    "/followup/patients/{id}/investigation": "行動調査票",
    "/admin/users/{id}": "ユーザの詳細",
    "/admin/access/users/{id}": "ユーザの権限",
    "/admin/access/groups/{id}": "グループの権限",
    "/admin/access-review/{id}": "不審なアクセス（1件）",
    "/circulations/{id}": "回議・供覧（1件）",
    "/documents/batches/{id}": "一括印刷の進み具合",
    "/contacts/{id}/history": "接触者の修正履歴（印刷用）",
    "/requests/{id}": "依頼の画面",
    "/requests/groups/{id}": "集団の画面",
    "/requests/groups/{id}/imports/{id}": "集団の名簿の取込み（確認）",
    "/board/sessions/{id}": "診査会の画面",
    "/board/cases/{id}": "診査の案件",
    "/board/patients/{id}": "診査会（患者ごと）",
    "/documents/patients/{id}/files": "患者の資料",
}


def page_name(path: str, title: str) -> tuple[str, str]:
    """(what the page is, its path with record ids as {id})."""
    general = UUID.sub("{id}", path)
    if general in RECORD_PAGES:
        return RECORD_PAGES[general], general
    return (title.split(" | ")[0].split("（")[0] or general), general


def collect(lines: list[str]) -> list[dict[str, object]]:
    """One row per page and width (the last check of it wins), in the order first seen."""
    pages: dict[tuple[str, str, int], dict[str, object]] = {}
    for line in lines:
        row = json.loads(line)
        name, path = page_name(str(row["path"]), str(row["title"]))
        name = str(row.get("name") or name)  # a page the test named (Keycloak's share an address and a title)
        pages[(name, path, int(row["width"]))] = {
            "name": f"{name}（{path}）",
            "width": int(row["width"]),
            "violations": list(row["violations"]),
        }
    return list(pages.values())


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "axe.jsonl"
        env = os.environ | {"TBMS_A11Y_RESULTS": str(log)}
        command = [sys.executable, "-m", "pytest", *BROWSER_TESTS, "-q", "-p", "no:cacheprovider"]
        tests = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603 - our own test run
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    pages = collect(lines)
    violations = sum(len(page["violations"]) for page in pages)  # type: ignore[arg-type]
    results = {
        "tested_on": clock.today().isoformat(),
        "tool": "axe-core（WCAG 2.0 A・AA の規則）、Chromium ヘッドレス",
        "widths": sorted({int(page["width"]) for page in pages}),  # type: ignore[call-overload]
        "violations": violations,
        "pages": pages,
        "human": json.loads(HUMAN.read_text(encoding="utf-8")),
        "tests_passed": tests.returncode == 0,
    }
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(pages)}画面を検査し、{violations}件の問題が見つかりました: {RESULTS.relative_to(ROOT)}")
    return 0 if violations == 0 and tests.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
