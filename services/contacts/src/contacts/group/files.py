"""Reading a member list: CSV in UTF-8 (with or without BOM) or CP932, or the first sheet of an .xlsx workbook,
and each row checked into a person with per-row Japanese errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tbms_core.errors import InvalidInput
from tbms_core.jp.text import normalize_input
from tbms_core.jp.wareki import WarekiError, parse_date
from tbms_core.tables import UnreadableTable, read_cells

MAX_BYTES = 5_000_000
MAX_ROWS = 2_000
COLUMNS = {  # the header a file must use (at least 氏名); the order does not matter
    "氏名": "name",
    "カナ": "name_kana",
    "フリガナ": "name_kana",
    "性別": "sex",
    "生年月日": "birth_date",
    "住所": "address",
    "電話番号": "phone",
    "電話": "phone",
    "所属": "affiliation",
    "クラス・部署": "affiliation",
    "最終接触日": "last_contact_on",
    "接触時間": "hours",
    "備考": "note",
}
SEXES = {"男": "male", "男性": "male", "M": "male", "女": "female", "女性": "female", "F": "female", "": ""}


@dataclass(frozen=True)
class Sheet:
    """The rows of a file as text, each with its line number, and how it was read."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str  # utf-8, cp932, xlsx


def unreadable(message: str) -> InvalidInput:
    """The file cannot be used at all (nothing is stored)."""
    return InvalidInput(message, errors={"file": message})


def read_sheet(content: bytes) -> Sheet:
    """The file's rows, the format told from its bytes: .xlsx by signature, else CSV (UTF-8, else CP932)."""
    if len(content) > MAX_BYTES:
        raise unreadable(f"ファイルが大きすぎます（{MAX_BYTES // 1_000_000}MBまで）。")
    try:
        cells, encoding = read_cells(content)
    except UnreadableTable as exc:
        raise unreadable(str(exc)) from exc
    numbered = [(line, row) for line, row in enumerate(cells, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise unreadable("ファイルに行がありません。1行目に見出し、2行目から1人1行で入れてください。")
    if len(numbered) - 1 > MAX_ROWS:
        raise unreadable(f"行が多すぎます（{MAX_ROWS}人まで）。ファイルを分けてください。")
    header = [c.strip() for c in numbered[0][1]]
    if "氏名" not in header:
        raise unreadable("1行目の見出しに「氏名」がありません。見出しの例: " + "、".join(list(COLUMNS)[:8]))
    return Sheet(header, numbered[1:], encoding)


def checked_row(line: int, header: list[str], cells: list[str], today: date) -> dict[str, Any]:
    """One row as a person, with the Japanese errors of its cells ({field: message}); unknown columns ignored."""
    raw = {COLUMNS[h]: normalize_input(c) for h, c in zip(header, cells, strict=False) if h in COLUMNS}
    person: dict[str, Any] = {name: raw.get(name, "") for name in set(COLUMNS.values())}
    errors: dict[str, str] = {}
    if not person["name"]:
        errors["name"] = "氏名が空です。"
    elif len(person["name"]) > 100:
        errors["name"] = "氏名が長すぎます（100文字まで）。"
    if person["sex"] not in SEXES:
        errors["sex"] = f"性別「{person['sex']}」は読み取れません（男・女 または空欄）。"
    else:
        person["sex"] = SEXES[person["sex"]]
    for name, label in (("birth_date", "生年月日"), ("last_contact_on", "最終接触日")):
        if person[name]:
            try:
                day = parse_date(person[name])
            except WarekiError as error:
                errors[name] = f"{label}「{person[name]}」: {error}"
                person[name] = None
                continue
            if day > today:
                errors[name] = f"{label}が未来の日付です。"
            person[name] = day.isoformat()
        else:
            person[name] = None
    if person["hours"]:
        try:
            person["hours"] = float(person["hours"])
            if not 0 <= person["hours"] <= 100000:
                raise ValueError
        except ValueError:
            errors["hours"] = f"接触時間「{raw['hours']}」は時間数（0以上の数）で入れてください。"
            person["hours"] = None
    else:
        person["hours"] = None
    for name, limit in (("name_kana", 200), ("address", 300), ("phone", 20), ("affiliation", 200), ("note", 2000)):
        if len(person[name]) > limit:
            errors[name] = f"文字数が多すぎます（{limit}文字まで）。"
    return {"line": line, "person": person, "errors": errors, "duplicates": [], "decision": ""}
