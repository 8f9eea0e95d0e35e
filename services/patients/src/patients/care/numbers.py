"""The numbers of a 公費負担 患者票: 公費負担者番号 and 受給者番号, and their MHLW 検証番号."""

from __future__ import annotations

from tbms_core.jp.check_digits import has_valid_check_digit
from tbms_core.jp.check_digits import modulus10_check_digit as check_digit

PAYER_DIGITS = 8  # 法別番号(2) + 都道府県番号(2) + 実施機関番号(3) + 検証番号(1)
RECIPIENT_DIGITS = 7  # 受給者区分(6) + 検証番号(1)
LAW_NUMBERS = {"37": "11", "37-2": "10"}  # 法別番号: 11 結核患者の入院, 10 結核患者の適正医療

__all__ = ["LAW_NUMBERS", "PAYER_DIGITS", "RECIPIENT_DIGITS", "check_digit", "has_valid_check_digit"]
