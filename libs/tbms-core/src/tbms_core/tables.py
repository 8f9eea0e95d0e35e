"""Reading an uploaded table into rows of text: CSV in UTF-8 (with or without BOM) or CP932 (Excel's Shift_JIS),
or the first sheet of an .xlsx workbook, the format told from the bytes, never from the file's name."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX_SIGNATURE = b"PK\x03\x04"  # an .xlsx is a zip archive
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 (.xls), an OLE compound file


class UnreadableTable(ValueError):
    """The bytes are no CSV in UTF-8 or CP932 and no .xlsx workbook; the message says so in Japanese."""


def read_cells(content: bytes) -> tuple[list[list[str]], str]:
    """Every row of the file as text, and how it was read: utf-8, cp932 or xlsx."""
    if content.startswith(XLS_SIGNATURE):
        raise UnreadableTable("Excel 97-2003 形式（.xls）は読み取れません。.xlsx 形式か CSV で保存し直してください。")
    if content.startswith(XLSX_SIGNATURE):
        return _xlsx_rows(content), "xlsx"
    text, encoding = decode(content)
    return list(csv.reader(io.StringIO(text, newline=""))), encoding


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding: strict UTF-8 (a BOM dropped) first, else CP932."""
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp932"), "cp932"
    except UnicodeDecodeError as exc:
        raise UnreadableTable(
            "文字コードを判別できませんでした。CSV は UTF-8 か Shift_JIS（CP932）で保存してください。"
        ) from exc


def _xlsx_rows(content: bytes) -> list[list[str]]:
    """The first sheet's rows as text."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise UnreadableTable(
            "Excel ファイル（.xlsx）を読み取れませんでした。ファイルが壊れていないか確認してください。"
        ) from exc
    try:
        return [[cell_text(value) for value in row] for row in book.worksheets[0].iter_rows(values_only=True)]
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
