"""Reading an uploaded file into rows of text: CSV in UTF-8 (with or without BOM) or CP932, or an .xlsx workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from masters.transfer.errors import FileTooLarge, UnreadableFile

MAX_BYTES = 20_000_000
MAX_ROWS = 50_000
XLSX_SIGNATURE = b"PK\x03\x04"  # an .xlsx is a zip archive
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls), an OLE compound file


@dataclass(frozen=True)
class Table:
    """The header row and the data rows of a file, each cell as text; `lines` are the rows' line numbers."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    encoding: str  # utf-8, cp932 or xlsx


def read_table(content: bytes) -> Table:
    """The file's rows, the format told from its bytes (not its name): .xlsx by signature, else CSV."""
    if len(content) > MAX_BYTES:
        raise FileTooLarge(MAX_BYTES, MAX_ROWS)
    if content.startswith(XLS_SIGNATURE):
        raise UnreadableFile("Excel 97-2003 形式（.xls）は読み取れません。.xlsx 形式か CSV で保存し直してください。")
    if content.startswith(XLSX_SIGNATURE):
        cells, encoding = _xlsx_rows(content), "xlsx"
    else:
        text, encoding = decode(content)
        cells = list(csv.reader(io.StringIO(text, newline="")))
    return _table(cells, encoding)


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: strict UTF-8 (a BOM dropped) first, else CP932 (Excel's Shift_JIS)."""
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "文字コードを判別できませんでした。CSV は UTF-8 か Shift_JIS（CP932）で保存してください。"
        ) from exc


def _xlsx_rows(content: bytes) -> list[list[str]]:
    """The first sheet's rows as text."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(
            "Excel ファイル（.xlsx）を読み取れませんでした。ファイルが壊れていないか確認してください。"
        ) from exc
    try:
        sheet = book.worksheets[0]
        return [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """An Excel cell as the text a CSV would hold: dates as YYYY-MM-DD, whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(cells: list[list[str]], encoding: str) -> Table:
    """Drops blank rows, keeping each row's line number; refuses a file without a header row."""
    numbered = [(line, row) for line, row in enumerate(cells, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise UnreadableFile("ファイルに行がありません。1行目に見出し、2行目から各行のデータを入れてください。")
    if len(numbered) - 1 > MAX_ROWS:
        raise FileTooLarge(MAX_BYTES, MAX_ROWS)
    (_, header), body = numbered[0], numbered[1:]
    width = len(header)
    rows = [(row + [""] * width)[:width] if len(row) <= width else row for _, row in body]
    return Table([cell.strip() for cell in header], rows, [line for line, _ in body], encoding)
