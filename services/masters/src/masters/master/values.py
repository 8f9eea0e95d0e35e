"""What one cell of a master record accepts, as typed in a form or a CSV cell, with Japanese messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from tbms_core.jp.text import is_kana_reading, normalize_input, to_katakana
from tbms_core.jp.wareki import parse_date

MISSING = "必須項目です。"
_YES = frozenset({"true", "1", "yes", "y", "on", "はい", "有", "あり", "該当", "○", "〇", "◯"})
_NO = frozenset({"false", "0", "no", "n", "off", "いいえ", "無", "なし", "非該当", "×", "-", ""})
_POSTAL = re.compile(r"\d{3}-?\d{4}")
_PHONE = re.compile(r"[0-9()+-]{6,20}")
FREE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
# A code-list value: letters (Japanese too, as the 検体 喀痰, 胃液 are stored), digits and - _ . / +; no spaces
# or colons (the code is <list>:<value>).
LIST_VALUE = re.compile(r"[^\W_][\w./+-]{0,39}")


def is_blank(value: object) -> bool:
    """True for what a form or a CSV cell sends when nothing was entered."""
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str:
    """One line of text, cleaned as every form does (half-width kana widened, digits and letters narrowed)."""
    if is_blank(value):
        return ""
    return normalize_input(str(value))


def lines(value: object) -> str:
    """Text of one item per line (町丁目, 診療科): each line cleaned, blank lines dropped."""
    if is_blank(value):
        return ""
    parts = (normalize_input(line) for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(part for part in parts if part)


def kana(value: object) -> str:
    """A reading in full-width katakana (hiragana and half-width kana accepted)."""
    reading = to_katakana(str(value)) if not is_blank(value) else ""
    if reading and not is_kana_reading(reading):
        raise ValueError("カナはカタカナまたはひらがなで入力してください。")
    return reading


def yes_no(value: object) -> bool:
    """はい/いいえ (also 有/無, ○/×, 1/0, true/false); blank is いいえ."""
    if isinstance(value, bool):
        return value
    word = text(value).lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError("「はい」か「いいえ」で入力してください。")


def count(value: object) -> int | None:
    """A whole number of zero or more (full-width digits accepted); blank is none."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ValueError("数字で入力してください。")
    if isinstance(value, int):
        number = value
    else:
        digits = text(value).replace(",", "")
        if not digits.isascii() or not digits.isdigit():
            raise ValueError("0以上の整数を数字で入力してください。")
        number = int(digits)
    if number < 0:
        raise ValueError("0以上の整数を数字で入力してください。")
    return number


def choice(options: Mapping[str, str]) -> Callable[[object], str]:
    """A validator taking a choice's value or its Japanese label (as an export writes it) and keeping the value."""
    by_label = {label: value for value, label in options.items()}

    def check(value: object) -> str:
        typed = text(value)
        if not typed or typed in options:
            return typed
        if typed in by_label:
            return by_label[typed]
        raise ValueError(f"選択肢（{'・'.join(options.values())}）から選んでください。")

    return check


def postal_code(value: object) -> str:
    """A 郵便番号 as 154-0017."""
    typed = text(value).replace("〒", "").replace("ー", "-").strip()
    if not typed:
        return ""
    if not _POSTAL.fullmatch(typed):
        raise ValueError("郵便番号は7桁の数字で入力してください（例: 154-0017）。")
    return typed if "-" in typed else f"{typed[:3]}-{typed[3:]}"


def phone(value: object) -> str:
    """A telephone or fax number of digits and hyphens."""
    typed = re.sub(r"(?<=\d)[ー－―‐](?=\d)", "-", text(value))
    if typed and not _PHONE.fullmatch(typed):
        raise ValueError("電話番号は数字とハイフンで入力してください（例: 03-1234-5678）。")
    return typed


def free_code(value: object) -> str:
    """A code staff choose themselves (e.g. D00001, setagaya)."""
    typed = text(value)
    if typed and not FREE_CODE.fullmatch(typed):
        raise ValueError("コードは半角英数字・ハイフン・アンダースコアで入力してください（40文字まで）。")
    return typed


def list_value(value: object) -> str:
    """The value of a code-list entry (e.g. healthcare, 2HREZ/4HR, 喀痰)."""
    typed = text(value)
    if typed and not LIST_VALUE.fullmatch(typed):
        raise ValueError("値は英数字・かな・漢字と記号（- _ . / +）で入力してください（空白なし、40文字まで）。")
    return typed


def as_json(value: Any) -> Any:
    """A value as it is stored in a record's data (dates as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def a_date(value: object) -> date | None:
    """A date typed in 和暦 or 西暦 (or a date from a spreadsheet cell); blank is none."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(str(value))
