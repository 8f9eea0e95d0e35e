"""The columns of a master's file: Japanese headers, each cell written as staff read it and read back as stored.

The same column list serves export and import, so a file exported and imported again compares as unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from tbms_core.csv_export import FORMULA_STARTS
from tbms_core.jp.text import normalize_input, to_katakana
from tbms_core.jp.wareki import WarekiError, parse_date

TRUE_WORDS = frozenset({"はい", "1", "true", "yes", "○", "有", "あり"})
FALSE_WORDS = frozenset({"いいえ", "0", "false", "no", "×", "無", "なし", ""})


class FieldLike(Protocol):
    """What a column needs to know of a master's data field."""

    key: str
    label: str
    type: str
    required: bool
    choices: Mapping[str, str]


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message is Japanese."""


@dataclass(frozen=True)
class Column:
    """One column of the file: the record's attribute or data key, its Japanese header and its type."""

    key: str
    label: str
    type: str  # code, name, kana, text, multiline, int, bool, date, choice, ref
    required: bool = False
    in_data: bool = True
    choices: Mapping[str, str] = field(default_factory=dict)

    def read(self, text: str) -> Any:
        """The value of a cell as it would be stored; CellError with a Japanese message when it cannot be read."""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
            text = text[1:]  # the apostrophe the CSV export puts before text Excel would run as a formula
        if self.type == "kana":
            return to_katakana(text)
        if self.type == "multiline":
            return "\n".join(normalize_input(line) for line in text.split("\n")).strip("\n")
        value = normalize_input(text)
        if self.type == "int":
            return _integer(value)
        if self.type == "bool":
            return _boolean(value)
        if self.type == "date":
            return _date(value)
        if self.type == "choice":
            return self._choice(value)
        return value

    def stored(self, value: Any) -> Any:
        """A stored value in the form `read` gives, so the two compare equal when they mean the same."""
        if self.type == "bool":
            return bool(value)
        if value is None or value == "":
            return "" if self.type in ("code", "name", "kana", "text", "multiline", "ref") else None
        if self.type == "int":
            return int(value)
        if self.type == "date":
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        return str(value)

    def shown(self, value: Any) -> str | int:
        """A value as the file and the preview show it: はい/いいえ, a choice's label, 西暦 YYYY-MM-DD."""
        value = self.stored(value)
        if self.type == "bool":
            return "はい" if value else "いいえ"
        if value is None:
            return ""
        if self.type == "date":
            return value.isoformat()
        if self.type == "choice":
            return self.choices.get(value, value)
        return value

    def _choice(self, value: str) -> str | None:
        if not value:
            return None
        if value in self.choices:
            return value
        for key, label in self.choices.items():
            if normalize_input(label) == value:
                return key
        raise CellError(f"「{'」「'.join(self.choices.values())}」のいずれかを入力してください。")


def _integer(value: str) -> int | None:
    if not value:
        return None
    try:
        return int(value.replace(",", ""))
    except ValueError:
        raise CellError("整数で入力してください。") from None


def _boolean(value: str) -> bool:
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("「はい」か「いいえ」で入力してください。")


def _date(value: str) -> date | None:
    if not value:
        return None
    try:
        return parse_date(value)
    except WarekiError as exc:
        raise CellError(str(exc)) from None


def columns_of(fields: Sequence[FieldLike], *, kana_required: bool = False) -> list[Column]:
    """コード, 名称, カナ, each data field under its label, 有効開始日, 有効終了日 — the order of the export."""
    return [
        Column("code", "コード", "code", required=True, in_data=False),
        Column("name", "名称", "name", required=True, in_data=False),
        Column("kana", "カナ", "kana", required=kana_required, in_data=False),
        *(Column(f.key, f.label, f.type, f.required, True, dict(f.choices or {})) for f in fields),
        Column("valid_from", "有効開始日", "date", in_data=False),
        Column("valid_to", "有効終了日", "date", in_data=False),
    ]


def match_header(
    columns: Sequence[Column], header: Sequence[str], *, aliases: Mapping[str, str]
) -> list[Column | None]:
    """The column under each header cell, by label (or an alias such as 医療機関コード for コード, or the key);
    None under a blank header (a cell there must stay blank).

    Raises HeaderMismatch naming every missing required column, unknown column and repeated column.
    """
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name[_header_key(column.label)] = column
        by_name.setdefault(_header_key(column.key), column)
    for alias, key in aliases.items():
        by_name.setdefault(_header_key(alias), next(c for c in columns if c.key == key))
    matched: list[Column | None] = [by_name.get(_header_key(name)) if name.strip() else None for name in header]
    unknown = [name for name, column in zip(header, matched, strict=True) if name.strip() and column is None]
    found = [column for column in matched if column is not None]
    repeated = sorted({c.label for c in found if found.count(c) > 1})
    missing = [c.label for c in columns if c.required and c not in found]
    if missing or unknown or repeated:
        raise HeaderMismatch(missing, unknown, repeated)
    return matched


class HeaderMismatch(ValueError):
    """The header row does not name this master's columns."""

    def __init__(self, missing: list[str], unknown: list[str], repeated: list[str]) -> None:
        self.missing, self.unknown, self.repeated = missing, unknown, repeated
        super().__init__(missing, unknown, repeated)


def _header_key(name: str) -> str:
    """A header compared without width, spaces or a 「（必須）」 mark."""
    key = normalize_input(name).replace(" ", "").replace("（", "(").replace("）", ")")
    return key.removesuffix("(必須)").removesuffix("*").lower()
