"""CSV downloads that Excel opens as they are: UTF-8 with a BOM, CRLF, Japanese headers and file names.

Or Shift_JIS (CP932) for older Excel and the systems that read only that: a character CP932 cannot carry (外字,
a private-use character included) is written as the health center's registered substitute per its 外字 policy
(N26). A character without one is never dropped silently: the export is refused with the rows and columns it is
in (`CsvNotInCp932`), and asked again with `substitute` it is written as 〓 and the file's answer counts the cells
(`X-TBMS-Replaced-Cells`). A clerk thus learns before the file exists, and chooses 〓 or UTF-8.

Text cells that Excel would read as a formula (CSV injection) are written with a leading apostrophe, so a
name typed as `=HYPERLINK(...)` shows as text instead of running when the file is opened.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, TypeVar
from urllib.parse import quote

from fastapi import Depends, Query, Response

from tbms_core.clock import JST
from tbms_core.errors import InvalidInput
from tbms_core.jp.gaiji import GETA, GaijiPolicy, output_text

BOM = "\ufeff"
MAX_EXPORT_ROWS = 100_000
RowsT = TypeVar("RowsT", bound=Sequence[object])
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv; charset=utf-8"
CP932 = "cp932"
CP932_MEDIA_TYPE = "text/csv; charset=Shift_JIS"
Encoding = Literal["utf-8", "cp932"]
REPLACED_HEADER = "X-TBMS-Replaced-Cells"
LISTED_PLACES = 20  # a refusal names this many cells, then counts the rest


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


@dataclass(frozen=True)
class LostCharacters:
    """A cell CP932 cannot carry as it is: its row (1 = the first data row), its column, what is lost."""

    row: int
    column: str
    characters: tuple[str, ...]

    def place(self) -> str:
        """The cell and its characters as the refusal names them."""
        chars = "".join(f"「{c}」（U+{ord(c):04X}）" for c in self.characters)
        return f"{self.row}行目の「{self.column}」の{chars}"


class CsvNotInCp932(InvalidInput):
    """A Shift_JIS file would lose characters: nothing is written until the user accepts 〓 or takes UTF-8."""

    code = "csv_not_in_cp932"

    def __init__(self, lost: Sequence[LostCharacters]) -> None:
        places = "、".join(item.place() for item in lost[:LISTED_PLACES])
        more = f"ほか{len(lost) - LISTED_PLACES:,}か所" if len(lost) > LISTED_PLACES else ""
        super().__init__(
            f"Shift_JIS（CP932）で表せない文字（外字）が{len(lost):,}か所にあるため、出力していません: {places}{more}。"
            "「〓」に置き換えて出力するか、文字をそのまま残すUTF-8で出力してください。",
            errors={"encoding": "Shift_JIS（CP932）で表せない文字があります。"},
        )
        self.lost = list(lost)


@dataclass(frozen=True)
class CsvFormat:
    """How a download is written: its encoding, and whether a character CP932 lacks may become 〓."""

    encoding: Encoding = "utf-8"
    substitute: bool = False


def csv_format(
    encoding: Annotated[Encoding, Query(description="文字コード: UTF-8（BOM付き）or Shift_JIS（CP932）")] = "utf-8",
    substitute: Annotated[bool, Query(description="CP932で表せない文字を〓にして出力する（既定は拒否）")] = False,
) -> CsvFormat:
    """The format a CSV export is asked in, from the query string."""
    return CsvFormat(encoding, substitute)


CsvFormatDep = Annotated[CsvFormat, Depends(csv_format)]


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


def lost_in_cp932(
    header: Sequence[str], rows: Iterable[Sequence[object]], policy: GaijiPolicy | None
) -> list[LostCharacters]:
    """Every cell whose CP932 form would show 〓 for a character (no registered substitute), in file order."""
    lost: list[LostCharacters] = []
    for number, row in enumerate(rows, start=1):
        for column, value in zip(header, row, strict=False):
            if isinstance(value, str) and (missing := _geta_for(value, policy)):
                lost.append(LostCharacters(number, column, missing))
    return lost


def _geta_for(text: str, policy: GaijiPolicy | None) -> tuple[str, ...]:
    written = output_text(text, "csv", policy)
    if written == text:
        return ()
    # output_text maps one character to one; a registered substitute may be longer, so walk both texts.
    missing: list[str] = []
    for char in text:
        shown = output_text(char, "csv", policy)
        if shown == GETA and char != GETA and char not in missing:
            missing.append(char)
    return tuple(missing)


def csv_response(
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    encoding: str = "utf-8",
    policy: GaijiPolicy | None = None,
    substitute: bool = False,
    written: CsvFormat | None = None,
) -> Response:
    """A CSV download named `filename` (may be Japanese): UTF-8 with a BOM, or CP932 under the 外字 policy.

    CP932 refuses (`CsvNotInCp932`) while a character would become 〓, unless `substitute` accepts that.
    """
    if written is not None:
        encoding, substitute = written.encoding, written.substitute
    headers = {"Content-Disposition": content_disposition(filename)}
    if encoding != CP932:
        return Response(content=csv_text(header, rows).encode("utf-8"), media_type=MEDIA_TYPE, headers=headers)
    held = [list(row) for row in rows]
    lost = lost_in_cp932(header, held, policy)
    if lost and not substitute:
        raise CsvNotInCp932(lost)
    headers[REPLACED_HEADER] = str(len(lost))
    return Response(content=cp932_bytes(header, held, policy), media_type=CP932_MEDIA_TYPE, headers=headers)
