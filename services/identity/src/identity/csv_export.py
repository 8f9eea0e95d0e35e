"""CSV downloads that Excel opens as they are: UTF-8 with a BOM, Japanese headers, Japan time (R36)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import quote

from fastapi import Response

from identity.periods import JST

BOM = "\ufeff"
MAX_EXPORT_ROWS = 100_000
OPERATION_LABELS = {
    "read": "参照",
    "create": "登録",
    "update": "更新",
    "delete": "削除",
    "print": "印刷",
    "export": "出力",
    "download": "ダウンロード",
    "search": "検索",
    "login": "ログイン",
}


def jst(value: datetime | None) -> str:
    """A timestamp as Japan time, `YYYY-MM-DD HH:MM:SS`."""
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def operation_label(operation: str) -> str:
    """An operation's Japanese name."""
    return OPERATION_LABELS.get(operation, operation)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The CSV text with a BOM and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return BOM + buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """A CSV download named `filename` (may be Japanese)."""
    disposition = f"attachment; filename=\"export.csv\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content=csv_text(header, rows).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
