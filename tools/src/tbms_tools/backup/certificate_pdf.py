"""The erasure certificate as a PDF page (N17): the same facts as the JSON and text, laid out to be printed, signed
and filed (WeasyPrint, the Japanese fonts the forms use)."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: "tbms データ消去証明書"; font-size: 8pt; } }
body { font-family: "Noto Sans CJK JP", "IPAexGothic", sans-serif; font-size: 10pt; line-height: 1.5; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 6mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 5mm; }
th, td { border: 0.6pt solid #333; padding: 1.5mm 2mm; vertical-align: top; text-align: left; }
th { width: 32%; background: #eee; font-weight: normal; }
.conclusion { font-size: 12pt; font-weight: bold; border: 1.2pt solid #000; padding: 3mm; }
.signatures td { height: 14mm; }
"""


def _row(label: str, value: str) -> str:
    return f"<tr><th scope='row'>{escape(label)}</th><td>{escape(value)}</td></tr>"


def certificate_html(certificate: dict[str, Any]) -> str:
    """The certificate as an HTML page (every value escaped)."""
    copies, verification = certificate["copies"], certificate["verification"]
    export = certificate["hand_back_export"]
    handed_back = (
        f"確認済み（目録 {export.get('manifest')}）"
        if export["confirmed"]
        else f"未実施（理由: {export.get('reason')}）"
    )
    facts = [
        ("消去日時", certificate["erased_at"]["jst"]),
        ("対象", certificate["what"]),
        ("方式", certificate["method"]),
        ("破棄した鍵", f"鍵ID {certificate['key_destroyed']['key_id']}（{certificate['key_destroyed']['key_file']}）"),
        ("指示者", certificate["ordered_by"]),
        ("承認者", certificate["approved_by"]),
        ("引き渡しデータ", handed_back),
    ]
    copy_rows = [
        ("バックアップ保管先", copies["backup_target"]),
        *((f"世代 {name}", "対象") for name in copies["generations"]),
        ("第二の保管先", copies["second_location"]),
        ("文書の鍵", copies.get("document_keys", "")),
        ("第二の保管先の文書の鍵", copies.get("second_location_document_keys", "")),
        ("稼働中のシステム", copies["live_system"]),
    ]
    checks = [
        ("鍵ファイルの削除", "確認" if verification["key_file_removed"] else "未確認"),
        ("鍵の読み込み不能", "確認" if verification["key_cannot_be_loaded"] else "未確認"),
        ("文書の鍵の保管庫の削除", "確認" if verification.get("document_key_store_removed") else "未確認"),
        *(
            (g["backup"], f"{'復号不能を確認' if g['unreadable'] else '要確認'}（{len(g['parts'])} 部品）")
            for g in verification["generations"]
        ),
    ]
    conclusion = "すべての世代が復号できないことを確認した" if verification["all_unreadable"] else "未完了（要対応）"
    return (
        "<!DOCTYPE html><html lang='ja'><head><meta charset='utf-8'>"
        f"<title>{escape(certificate['title'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(certificate['title'])}</h1>"
        f"<table><caption>消去の内容</caption>{''.join(_row(k, v) for k, v in facts)}</table>"
        f"<table><caption>対象の複製</caption>{''.join(_row(k, v) for k, v in copy_rows)}</table>"
        f"<table><caption>検証</caption>{''.join(_row(k, v) for k, v in checks)}</table>"
        f"<p class='conclusion'>結論: {escape(conclusion)}</p>"
        "<table class='signatures'><caption>署名</caption>"
        f"{_row('指示者 署名', '')}{_row('承認者 署名', '')}</table>"
        "</body></html>"
    )


def certificate_pdf(certificate: dict[str, Any]) -> bytes:
    """The certificate rendered as a PDF."""
    from weasyprint import HTML  # the renderer loads only when a certificate is written

    return HTML(string=certificate_html(certificate)).write_pdf()  # type: ignore[no-any-return]
