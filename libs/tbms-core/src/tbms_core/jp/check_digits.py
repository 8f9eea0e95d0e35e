"""Check digits of Japanese public codes: 公費負担者番号, 受給者番号, 医療機関コード, 全国地方公共団体コード."""

from __future__ import annotations

__all__ = [
    "has_valid_check_digit",
    "institution_code_is_valid",
    "modulus10_check_digit",
    "modulus11_check_digit",
    "municipality_code_is_valid",
]


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def modulus10_check_digit(body: str) -> int:
    """The 検証番号 of the digits before it (MHLW 設定要領: weights 2,1,2,… from the last digit, digit sums).

    Used by 保険者番号, 公費負担者番号, 受給者番号 and the 医療機関コード (over its 郡市区番号 and 医療機関番号).
    """
    total = 0
    for position, char in enumerate(reversed(body)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def has_valid_check_digit(number: str) -> bool:
    """Tells whether the last digit of a number of digits is the modulus-10 検証番号 of the others."""
    return len(number) > 1 and _digits(number) and modulus10_check_digit(number[:-1]) == int(number[-1])


def institution_code_is_valid(code: str) -> bool:
    """Tells whether a 10-digit 医療機関コード carries its 検証番号.

    The code is 都道府県番号(2) + 点数表番号(1) + the 7-digit 医療機関コード proper: 郡市区番号(2) + 医療機関番号(4)
    + 検証番号(1). The 検証番号 belongs to that 7-digit code, so it is computed over its first six digits only.
    """
    return len(code) == 10 and _digits(code) and modulus10_check_digit(code[3:9]) == int(code[9])


def modulus11_check_digit(body: str) -> int:
    """The 検査数字 of a 全国地方公共団体コード's first five digits (昭和43年自治省: weights 6,5,4,3,2, modulus 11).

    11 minus the remainder, keeping only its last digit: a remainder of 1 gives 0 and a remainder of 0 gives 1.
    """
    total = sum(int(char) * weight for char, weight in zip(body, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def municipality_code_is_valid(code: str) -> bool:
    """Tells whether a 6-digit 全国地方公共団体コード carries its 検査数字."""
    return len(code) == 6 and _digits(code) and modulus11_check_digit(code[:5]) == int(code[5])
