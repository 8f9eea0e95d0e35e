"""個人番号（マイナンバー）: tbms records none, so free text is checked for what looks like one (N17).

The 37条の2 application's 個人番号 stays outside tbms (its media are then 機密性2 and crypto-erase applies). A
12-digit number typed into free text whose last digit is the 個人番号's 検査用数字 is very likely one, so forms warn
and ask before saving it. The 検査用数字 follows 番号法施行令第8条 and the 総務省令 it names (平成26年総務省令第85号
第5条): over the first eleven digits counted from the lowest (Pn, n = 1..11) with weights Qn = n + 1 for n ≤ 6 and
n − 5 for n ≥ 7, the remainder r of Σ Pn×Qn by 11 gives 0 when r ≤ 1, else 11 − r.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MY_NUMBER_WARNING", "find_my_numbers", "is_my_number", "my_number_check_digit"]

MY_NUMBER_WARNING = "個人番号（マイナンバー）と思われる12桁の数字があります。tbms には個人番号を記録しません。"

# Twelve digits, optionally grouped by spaces or hyphens (4-4-4 as on the card, or any grouping), not part of a
# longer run of digits. Applied to NFKC text, so full-width digits, spaces and hyphens count too.
_CANDIDATE = re.compile(r"(?<![0-9])[0-9](?:[ \-‐－−]?[0-9]){11}(?![0-9])")
_SEPARATORS = re.compile(r"[ \-‐－−]")


def my_number_check_digit(body: str) -> int:
    """The 検査用数字 of the first eleven digits of a 個人番号."""
    if len(body) != 11 or not (body.isascii() and body.isdigit()):
        raise ValueError("個人番号の検査用数字は11桁の数字から求めます。")
    total = 0
    for n, char in enumerate(reversed(body), start=1):
        total += int(char) * (n + 1 if n <= 6 else n - 5)
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_my_number(number: str) -> bool:
    """Tells whether 12 digits end with the 個人番号 検査用数字 of the eleven before them."""
    return (
        len(number) == 12
        and number.isascii()
        and number.isdigit()
        and (my_number_check_digit(number[:11]) == int(number[11]))
    )


def find_my_numbers(text: str) -> list[str]:
    """The 12-digit numbers of a text (spaces, hyphens and full-width digits allowed) that carry a valid 個人番号
    検査用数字, in order (written half-width)."""
    if not text:
        return []
    normalized = unicodedata.normalize("NFKC", text)
    found: list[str] = []
    for match in _CANDIDATE.finditer(normalized):
        if is_my_number(_SEPARATORS.sub("", match.group())):
            found.append(match.group())
    return found
