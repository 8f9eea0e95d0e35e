"""The columns of a master's file: the kind's Japanese labels as headers, each cell written as staff read it.

Export and import share the kind's column list, so a file exported and imported again compares as unchanged.
Reading a cell's text into a stored value is the masters core's job (`MasterService.check_rows`); this module
only says which column a header names and how a stored value is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from tbms_core.csv_export import FORMULA_STARTS
from tbms_core.jp.text import normalize_input

from masters.master.schemas import MasterRead
from masters.master.spec import FieldSpec, MasterKind

# Headers accepted besides each column's label and key: the generic names staff may type in a sheet of their own.
ALIASES = {"コード": "code", "名称": "name", "氏名": "name", "有効開始日": "valid_from", "有効終了日": "valid_to"}
RECORD_KEYS = ("code", "name", "kana", "valid_from", "valid_to")


class HeaderMismatch(ValueError):
    """The header row does not name this master's columns."""

    def __init__(self, missing: list[str], unknown: list[str], repeated: list[str]) -> None:
        self.missing, self.unknown, self.repeated = missing, unknown, repeated
        super().__init__(missing, unknown, repeated)


def header(kind: MasterKind) -> list[str]:
    """The header row: code, name, カナ, each data field's label, the period."""
    return list(labels(kind).values())


def labels(kind: MasterKind) -> dict[str, str]:
    """Each column's header by key; a label two columns share (コード表's 表示名) is told apart by the key."""
    seen: set[str] = set()
    found = {}
    for column in kind.columns():
        found[column.key] = column.label if column.label not in seen else f"{column.label}（{column.key}）"
        seen.add(column.label)
    return found


def cells(kind: MasterKind, record: MasterRead) -> list[object]:
    """One record's row: dates in 西暦 YYYY-MM-DD, はい/いいえ, choices by their label, numbers as numbers."""
    values = {"code": record.code, "name": record.name, "kana": record.kana, **record.data}
    values |= {"valid_from": record.valid_from, "valid_to": record.valid_to}
    return [cell(column, values.get(column.key)) for column in kind.columns()]


def cell(column: FieldSpec, value: Any) -> object:
    """One stored value as a cell."""
    if column.type == "bool":
        return "はい" if value else "いいえ"
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if column.type == "choice":
        return column.choices.get(str(value), str(value))
    if column.type == "int" and isinstance(value, int):
        return value
    return str(value)


def match_header(kind: MasterKind, names: Sequence[str]) -> list[FieldSpec | None]:
    """The column under each header cell, by label, key or alias; None under a blank header.

    Raises HeaderMismatch naming every required column missing, every unknown and every repeated one.
    """
    columns = kind.columns()
    by_name: dict[str, FieldSpec] = {}
    for column, label in zip(columns, labels(kind).values(), strict=True):
        by_name.setdefault(_key(label), column)
        by_name.setdefault(_key(column.key), column)
    for alias, key in ALIASES.items():
        by_name.setdefault(_key(alias), next(column for column in columns if column.key == key))
    matched = [by_name.get(_key(name)) if name.strip() else None for name in names]
    unknown = [name for name, column in zip(names, matched, strict=True) if name.strip() and column is None]
    found = [column.key for column in matched if column is not None]
    shown = labels(kind)
    repeated = [shown[column.key] for column in columns if found.count(column.key) > 1]
    missing = [shown[column.key] for column in columns if column.required and column.key not in found]
    if missing or unknown or repeated:
        raise HeaderMismatch(missing, unknown, repeated)
    return matched


def typed(text: str) -> str:
    """A cell's text as typed, without the apostrophe the CSV export puts before what Excel would run as a formula."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _key(name: str) -> str:
    """A header compared without width, spaces, case or a 「（必須）」 mark."""
    key = normalize_input(name).replace(" ", "").replace("（", "(").replace("）", ")").lower()
    return key.removesuffix("(必須)").removesuffix("*")
