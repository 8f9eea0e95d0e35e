"""The numbers of a 公費負担 患者票: 公費負担者番号 and 受給者番号, and their MHLW 検証番号."""

from __future__ import annotations

PAYER_DIGITS = 8  # 法別番号(2) + 都道府県番号(2) + 実施機関番号(3) + 検証番号(1)
RECIPIENT_DIGITS = 7  # 受給者区分(6) + 検証番号(1)
LAW_NUMBERS = {"37": "11", "37-2": "10"}  # 法別番号: 11 結核患者の入院, 10 結核患者の適正医療


def check_digit(body: str) -> int:
    """The 検証番号 of the digits before it (MHLW 設定要領: weights 2,1,2,… from the last digit, digit sums)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def has_valid_check_digit(number: str) -> bool:
    """Tells whether the last digit of a number of digits is the 検証番号 of the others."""
    return len(number) > 1 and number.isascii() and number.isdigit() and check_digit(number[:-1]) == int(number[-1])
