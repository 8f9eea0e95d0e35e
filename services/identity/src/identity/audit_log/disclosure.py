"""本人開示: who accessed one person's data, grouped by staff member, as JSON and a printable page (N05)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from tbms_core.csv_export import jst

from identity.audit_log.schemas import DisclosureEntry, DisclosureReport
from identity.csv_export import operation_label

# Auditors reading the log are not accesses to the person's record.
AUDITOR_SERVICE = "identity"


def disclosure_entries(rows: Sequence[tuple[str, str, datetime, datetime, int, list[str]]]) -> list[DisclosureEntry]:
    """One entry per staff member from the per-user counts, operations with their Japanese names."""
    entries = []
    for user_id, username, first, last, count, operations in rows:
        ops = sorted(operations)
        entries.append(
            DisclosureEntry(
                user_id=user_id,
                username=username,
                first_at=first,
                last_at=last,
                count=count,
                operations=ops,
                operation_labels=[operation_label(op) for op in ops],
            )
        )
    return entries


PAGE_STYLE = """
@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif; font-size: 10.5pt; color: #000; }
h1 { font-size: 15pt; text-align: center; margin: 0 0 8mm; }
.meta { margin-bottom: 5mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.3mm solid #333; padding: 1.5mm 2mm; vertical-align: top; }
th { background: #eee; }
tr { page-break-inside: avoid; }
.empty { text-align: center; padding: 6mm; }
"""


def render_html(report: DisclosureReport) -> str:
    """The report as a printable Japanese A4 page."""
    rows = (
        "".join(
            f"<tr><td>{escape(e.username)}</td><td>{jst(e.first_at)}</td><td>{jst(e.last_at)}</td>"
            f"<td>{e.count}</td><td>{escape('、'.join(e.operation_labels))}</td></tr>"
            for e in report.items
        )
        or '<tr><td class="empty" colspan="5">記録はありません。</td></tr>'
    )
    return (
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>個人情報アクセス記録（本人開示）</title>'
        f"<style>{PAGE_STYLE}</style></head><body><h1>個人情報アクセス記録（本人開示）</h1>"
        f'<div class="meta">対象者ID: {escape(report.person_id)}<br>'
        f"作成日時: {jst(report.generated_at)}（日本時間）</div>"
        "<table><thead><tr><th>利用者</th><th>初回アクセス</th><th>最終アクセス</th><th>件数</th><th>操作</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></body></html>"
    )
