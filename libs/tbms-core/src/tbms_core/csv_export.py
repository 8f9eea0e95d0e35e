"""CSV downloads that Excel opens as they are: UTF-8 with a BOM, CRLF, Japanese headers and file names.

Or Shift_JIS (CP932) for older Excel and the systems that read only that: a character CP932 cannot carry (外字)
is written as the health center's registered substitute, or 〓, per its 外字 policy (N26), never dropped silently.

Text cells that Excel would read as a formula (CSV injection) are written with a leading apostrophe, so a
name typed as `=HYPERLINK(...)` shows as text instead of running when the file is opened.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar
from urllib.parse import quote

from fastapi import Response

from tbms_core.clock import JST
from tbms_core.errors import InvalidInput
from tbms_core.jp.gaiji import GaijiPolicy, output_text

BOM = "\ufeff"
MAX_EXPORT_ROWS = 100_000
RowsT = TypeVar("RowsT", bound=Sequence[object])
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv; charset=utf-8"
CP932 = "cp932"
CP932_MEDIA_TYPE = "text/csv; charset=Shift_JIS"


class ExportTooLarge(InvalidInput):
    """More rows match than one file may hold; nothing is cut off silently."""

    code = "export_too_large"

    def __init__(self, limit: int, narrow_by: str, found: int | None = None) -> None:
        many = (
            f"出力の対象が{found:,}件あり、一度に出力できる{limit:,}件を超えています。"
            if found is not None
            else (f"出力の対象が一度に出力できる{limit:,}件を超えています。")
        )
        super().__init__(f"{many}{narrow_by}で条件を絞り込んで、分けて出力してください。")


def within_limit(rows: RowsT, limit: int, narrow_by: str) -> RowsT:
    """The rows read with a limit of `limit + 1`: refused, never cut, when there are more than `limit`."""
    if len(rows) > limit:
        raise ExportTooLarge(limit, narrow_by)
    return rows


def jst(value: datetime | None) -> str:
    """A timestamp as Japan time, `YYYY-MM-DD HH:MM:SS`."""
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def safe_cell(value: object) -> object:
    """A value as written to a cell: blank for None, text that looks like a formula neutralised.

    Only text is touched: numbers and dates the export itself writes (a negative int included) stay as they are.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The CSV text with a BOM and CRLF line ends, every cell passed through `safe_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return BOM + buffer.getvalue()


def content_disposition(filename: str) -> str:
    """An attachment header carrying a Japanese file name (RFC 6266 `filename*`, ASCII fallback)."""
    return f"attachment; filename=\"export.csv\"; filename*=UTF-8''{quote(filename)}"


def cp932_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], policy: GaijiPolicy | None) -> bytes:
    """The CSV in CP932 without a BOM, each text cell as the 外字 policy writes it in a CSV (substitute or 〓)."""

    def carried(value: object) -> object:
        return output_text(value, "csv", policy) if isinstance(value, str) else value

    cells = ([carried(value) for value in row] for row in rows)
    return csv_text([str(carried(name)) for name in header], cells).removeprefix(BOM).encode(CP932)


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8",
    policy: GaijiPolicy | None = None,
) -> Response:
    """A CSV download named `filename` (may be Japanese): UTF-8 with a BOM, or CP932 under the 外字 policy."""
    if encoding == CP932:
        content, media_type = cp932_bytes(header, rows, policy), CP932_MEDIA_TYPE
    else:
        content, media_type = csv_text(header, rows).encode("utf-8"), MEDIA_TYPE
    return Response(
        content=content, media_type=media_type, headers={"Content-Disposition": content_disposition(filename)}
    )
