"""What the manuals hold (N25): the user manual's sections of its own for 接触者健診 and マスタ管理, the
administrator's for changing masters, and screenshots that are retaken by scripts/build_manuals.py --shots,
linked from a manual, and served with it; the master kinds the walk shows are those masters gives."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import httpx
import pytest
from tbms_testing import auth_headers

ROOT = Path(__file__).parents[5]
SOURCES = ROOT / "docs" / "manuals"
SERVED_IMAGES = ROOT / "services" / "gateway" / "src" / "gateway" / "static" / "manuals"
MASTERS_SERVICE = "http://127.0.0.1:8006"  # the stack's masters service (`tbms stack up`), over real HTTP
RECORDED_KINDS = Path(__file__).parents[1] / "masters" / "masters_kinds.json"  # what the manuals' walk shows
IMAGE = re.compile(r"!\[[^\]]+\]\(images/([^)]+)\)")
USER_SECTIONS = (
    "## 接触者健診",
    "### 発端患者の接触者の画面",
    "### 接触者を登録する",
    "### 接触者の画面",
    "### 検査を記録する",
    "### 勧告と勧告書（F18）",
    "### 接触者健診の一覧とCSV出力",
    "### 健診の日（予約・受付・健診日の帳票）",
    "### 集団接触者（学級・職場など）",
    "## 他自治体との依頼・回答",
    "## マスタ管理（医療機関・担当保健師などを調べる）",
    "### マスタの種類と使われるところ",
    "### 調べる",
    "### 有効期間と、入力画面の候補",
    "### 出力する",
    "### 変更を依頼する",
)
ADMIN_SECTIONS = ("## マスタ管理", "### 1件ずつ登録・修正・終了する", "### 有効期間（適用開始日）",
                  "### CSV・Excelからの一括取込", "### コード表")  # fmt: skip
# the pages the user manual shows: the patient list and page, the contact pages, the screening day, masters
USER_IMAGES = (
    *("patient-list.png", "patient.png", "contact-register.png", "contact.png", "contact-plan.png"),
    *("contact-exam.png", "contacts-list.png", "screening-day.png", "masters.png", "masters-staff.png"),
)


def build_script() -> ModuleType:
    """scripts/build_manuals.py as a module (its SHOTS name the screenshots it retakes)."""
    spec = importlib.util.spec_from_file_location("build_manuals", ROOT / "scripts" / "build_manuals.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def manual(name: str) -> str:
    """One manual's Markdown."""
    return (SOURCES / f"{name}.md").read_text(encoding="utf-8")


@pytest.mark.req("N25", partial=True)
class TestManualContents:
    def test_the_user_manual_has_sections_for_contact_screening_and_masters(self) -> None:
        headings = {line.strip() for line in manual("user").splitlines() if line.startswith("#")}
        assert [section for section in USER_SECTIONS if section not in headings] == []
        admin = {line.strip() for line in manual("admin").splitlines() if line.startswith("#")}
        assert [section for section in ADMIN_SECTIONS if section not in admin] == []

    def test_every_image_is_linked_retaken_and_copied_for_the_gateway(self) -> None:
        linked = {image for name in ("user", "admin", "operations") for image in IMAGE.findall(manual(name))}
        retaken = set(build_script().SHOTS.values())
        assert set(USER_IMAGES) <= set(IMAGE.findall(manual("user")))
        assert "masters-record.png" in IMAGE.findall(manual("admin"))
        assert linked == retaken, "each image a manual shows is retaken by --shots, and each retaken one is shown"
        for image in linked:
            assert (SOURCES / "images" / image).is_file() and (SERVED_IMAGES / image).is_file(), image

    async def test_the_served_user_manual_shows_the_contact_and_master_screenshots(
        self, browser: httpx.AsyncClient
    ) -> None:
        page = (await browser.get("/help/manuals/user")).text
        for image in ("contact-register.png", "contact-exam.png", "masters-staff.png"):
            assert f'src="/static/manuals/{image}"' in page
            assert (await browser.get(f"/static/manuals/{image}")).status_code == 200

    async def test_the_master_kinds_the_walk_shows_are_those_the_masters_service_gives(self) -> None:
        async with httpx.AsyncClient(base_url=MASTERS_SERVICE, timeout=30) as api:
            answer = await api.get("/masters/kinds", headers=auth_headers("nurse1"))
        assert answer.status_code == 200
        assert answer.json() == json.loads(RECORDED_KINDS.read_text(encoding="utf-8"))
