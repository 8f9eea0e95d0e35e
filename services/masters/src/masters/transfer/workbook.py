"""Excel downloads (one sheet, the Japanese header row, text cells stored as text, never as formulas), and uploaded
files given back as they came."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from fastapi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"  # Excel's 文字列 format: a code such as 0123456789 keeps its leading zero when edited


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The workbook: a bold header row, then one row per record; every text cell typed as a string.

    A string cell is never evaluated, so a name typed as `=HYPERLINK(...)` stays text without an apostrophe and
    comes back unchanged when the file is imported again.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet name
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(name) * 2 + 4))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, name, font=bold) for name in header])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet: object, value: object, *, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value="" if value is None else value)  # type: ignore[arg-type]
    if isinstance(value, str):
        cell.data_type = "s"
        cell.number_format = TEXT_FORMAT
    if font is not None:
        cell.font = font
    return cell


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition carrying a Japanese file name (RFC 6266 `filename*`, ASCII fallback)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def original_file_response(filename: str, content: bytes) -> Response:
    """An uploaded file as it came: a workbook as such, anything else as bytes (a CSV may be CP932)."""
    is_xlsx = content.startswith(b"PK\x03\x04")
    media_type = MEDIA_TYPE if is_xlsx else "application/octet-stream"
    fallback = "import.xlsx" if is_xlsx else "import.csv"
    return Response(
        content=content, media_type=media_type, headers={"Content-Disposition": attachment(filename, fallback)}
    )


def xlsx_response(filename: str, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """An .xlsx download named `filename` (may be Japanese)."""
    disposition = attachment(filename, "export.xlsx")
    return Response(
        content=xlsx_bytes(title, header, rows), media_type=MEDIA_TYPE, headers={"Content-Disposition": disposition}
    )
