"""The code lists in force: the built-in ones, overlaid code by code with what masters has sent.

A code masters ended stays known (old records keep its label) but is offered and accepted only for dates it was
valid on; a code added in マスタ管理 is offered and accepted from its start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tbms_contracts.code_lists import seeded_order
from tbms_core.errors import InvalidInput
from tbms_core.jp.wareki import format_wareki

from patients.code_list.defaults import DEFAULTS, NAMES, SINCE
from patients.code_list.models import CodeEntry


@dataclass(frozen=True)
class Code:
    """One code of a list with its label, place and active period."""

    list: str
    value: str
    label: str
    sort_order: int | None
    valid_from: date
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        """In force on the day: started on or before it, not ended before it."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _defaults() -> list[Code]:
    return [
        Code(name, value, label, seeded_order(place), SINCE)
        for name, codes in DEFAULTS.items()
        for place, (value, label) in enumerate(codes.items())
    ]


class CodeBook:
    """Every code of the lists patients keeps, by list and value, in display order."""

    def __init__(self, received: Iterable[CodeEntry] = ()) -> None:
        merged = {(code.list, code.value): code for code in _defaults()}
        for row in received:
            if row.list in NAMES:
                merged[(row.list, row.value)] = Code(
                    row.list, row.value, row.label, row.sort_order, row.valid_from, row.valid_to
                )
        ordered = sorted(merged.values(), key=lambda c: (c.sort_order is None, c.sort_order or 0, c.value))
        self.codes: dict[str, dict[str, Code]] = {name: {} for name in NAMES}
        for code in ordered:
            self.codes[code.list][code.value] = code

    def choices(self, name: str, on: date) -> dict[str, str]:
        """{value: label} of the codes a form offers on a day."""
        return {value: code.label for value, code in self.codes[name].items() if code.valid_on(on)}

    def labels(self, name: str) -> dict[str, str]:
        """{value: label} of every code of the list, ended ones too (how old records read)."""
        return {value: code.label for value, code in self.codes[name].items()}

    def former(self, name: str, on: date) -> dict[str, str]:
        """{value: label} of the codes known but not offered on a day (ended, or not started yet)."""
        return {value: code.label for value, code in self.codes[name].items() if not code.valid_on(on)}

    def problem(self, name: str, value: str, on: date) -> str | None:
        """The Japanese message for a code not usable on a day, or None when it is."""
        code = self.codes[name].get(value)
        what = NAMES[name]
        if code is None:
            return f"{what}「{value}」はコード表にありません。選択肢から選んでください。"
        if not code.valid_on(on):
            return (
                f"{what}「{code.label}」は{format_wareki(on)}には使えません"
                "（マスタ管理のコード表で終了または開始前です）。選択肢から選んでください。"
            )
        return None

    def check(self, on: date, fields: dict[str, tuple[str, str | Iterable[str] | None]]) -> None:
        """Refuses with a message per field when a code is not usable on the record's date.

        `fields` maps the API field name to (list, the value or values given); empty values are not checked.
        """
        errors: dict[str, str] = {}
        for field, (name, given) in fields.items():
            values = [given] if isinstance(given, str) else list(given or [])
            for value in values:
                if value and (message := self.problem(name, value, on)):
                    errors.setdefault(field, message)
        if errors:
            raise InvalidInput(errors=errors)
