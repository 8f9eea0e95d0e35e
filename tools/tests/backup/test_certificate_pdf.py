"""The erasure certificate as a PDF page (N17): every fact of the certificate is on the page, read back from the
PDF's text; a page for a human to look at goes to $TBMS_SHOTS when set."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tbms_tools.backup.certificate_pdf import certificate_html, certificate_pdf

pytestmark = pytest.mark.req("N17", partial=True)


def certificate(*, unreadable: bool = True) -> dict[str, Any]:
    generation = {"backup": "tbms-20261201T010000Z", "taken_at": "2026-12-01T01:00:00Z", "parts": [{}, {}, {}]}
    return {
        "format": "tbms-erasure-certificate/1",
        "title": "データ消去証明書（暗号化消去）",
        "erased_at": {"utc": "2026-12-03T01:00:00Z", "jst": "2026-12-03 10:00:00 JST"},
        "what": "tbms のバックアップ（全データベース、文書・帳票の全版、Keycloak、設定）",
        "copies": {
            "backup_target": "/srv/tbms-backups",
            "generations": [generation["backup"]],
            "second_location": "tbms-backup-copy",
            "document_keys": "利用者ごとの文書の鍵の保管庫 /srv/tbms-backups/document-keys.enc を破棄",
            "live_system": "文書・帳票・資料は本人ごとのデータ鍵で暗号化",
        },
        "method": "暗号化消去（AES-256-GCM の鍵の破棄）",
        "key_destroyed": {"key_id": "0a1b2c3d", "key_file": "/srv/keys/backup.key"},
        "ordered_by": "山田 管理者",
        "approved_by": "佐藤 課長",
        "hand_back_export": {"confirmed": True, "manifest": "export/manifest.json"},
        "verification": {
            "key_file_removed": True,
            "key_cannot_be_loaded": True,
            "document_key_store_removed": True,
            "generations": [generation | {"unreadable": unreadable}],
            "all_unreadable": unreadable,
        },
    }


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_page_carries_every_fact_of_the_certificate(tmp_path: Path) -> None:
    pdf = certificate_pdf(certificate())
    assert pdf.startswith(b"%PDF")
    (Path(os.environ.get("TBMS_SHOTS") or tmp_path) / "tbms-erasure-certificate.pdf").write_bytes(pdf)
    text = " ".join(pdf_text(pdf).split())
    for fact in (
        "データ消去証明書（暗号化消去）",
        "2026-12-03 10:00:00 JST",
        "鍵ID 0a1b2c3d",
        "山田 管理者",
        "佐藤 課長",
        "tbms-20261201T010000Z",
        "復号不能を確認（3 部品）",
        "tbms-backup-copy",
        "利用者ごとの文書の鍵の保管庫",
        "本人ごとのデータ鍵で暗号化",
        "文書の鍵の保管庫の削除 確認",
        "すべての世代が復号できないことを確認した",
        "承認者 署名",
    ):
        assert fact in text, fact


def test_an_unfinished_erasure_says_so_and_values_are_escaped() -> None:
    unfinished = certificate(unreadable=False) | {"ordered_by": "<b>山田</b>"}
    html = certificate_html(unfinished)
    assert "未完了（要対応）" in html and "要確認（3 部品）" in html
    assert "&lt;b&gt;山田&lt;/b&gt;" in html and "<b>山田</b>" not in html
