"""Reading an uploaded file into rows of text: CSV in UTF-8 (with or without BOM) or CP932, or an .xlsx workbook."""

from __future__ import annotations

from dataclasses import dataclass

from tbms_core.tables import UnreadableTable, read_cells

from masters.transfer.errors import FileTooLarge, UnreadableFile

MAX_BYTES = 20_000_000
MAX_ROWS = 50_000


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
    try:
        cells, encoding = read_cells(content)
    except UnreadableTable as exc:
        raise UnreadableFile(str(exc)) from exc
    return _table(cells, encoding)


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
