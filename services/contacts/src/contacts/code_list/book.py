"""The code lists in force: the built-in ones, overlaid code by code with what masters has sent.

A code masters ended stays known (old records keep its label) but is offered and accepted only for dates it was
valid on; a code added in マスタ管理 is offered and accepted from its start.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tbms_contracts.code_lists import SEEDED, SEEDED_CONTACT_ENDS, SEEDED_CONTACTS, SEEDED_SINCE, seeded_order
from tbms_core.jp.wareki import format_wareki

from contacts.code_list.models import CodeEntry

# The lists of masters' コード表 the contacts service keeps, with the Japanese name its messages use.
NAMES = {
    "contact_setting": "接触の場",
    "screening_exam": "検査の種類",
    "contact_relation": "続柄・関係",
    "contact_end_reason": "終了の理由",
}
# Until masters has sent anything: the same codes, labels and order its migrations seed.
DEFAULTS: dict[str, dict[str, str]] = {
    "contact_setting": dict(SEEDED["contact_setting"]),
    "screening_exam": dict(SEEDED_CONTACTS["screening_exam"]),
    "contact_relation": dict(SEEDED_CONTACTS["contact_relation"]),
    "contact_end_reason": dict(SEEDED_CONTACT_ENDS["contact_end_reason"]),
}


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
        Code(name, value, label, seeded_order(place), SEEDED_SINCE)
        for name, codes in DEFAULTS.items()
        for place, (value, label) in enumerate(codes.items())
    ]


class CodeBook:
    """Every code of the lists contacts keeps, by list and value, in display order."""

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

    def label(self, name: str, value: str) -> str:
        """The label of a code, ended or not; the code itself when the list does not know it."""
        code = self.codes[name].get(value)
        return code.label if code else value

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
