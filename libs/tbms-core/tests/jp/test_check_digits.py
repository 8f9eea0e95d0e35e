"""Check digits of Japanese public codes, each worked out by hand in its comment."""

from __future__ import annotations

import pytest
from tbms_core.jp.check_digits import (
    has_valid_check_digit,
    institution_code_is_valid,
    modulus10_check_digit,
    modulus11_check_digit,
    municipality_code_is_valid,
)


class TestModulus10:
    """The MHLW 検証番号 (weights 2,1,2,… from the last digit, digits of each product summed)."""

    @pytest.mark.parametrize(
        ("body", "digit"),
        [
            # 1013001 from the right: 1×2=2, 0×1=0, 0×2=0, 3×1=3, 1×2=2, 0×1=0, 1×2=2 → 9 → 10−9 = 1
            ("1013001", 1),
            # 1113001: 2+0+0+3+2+1+2 = 10 → 10−0 = 10 → 0
            ("1113001", 0),
            # 123456: 6×2=12→1+2=3, 5, 4×2=8, 3, 2×2=4, 1 → 24 → 6
            ("123456", 6),
            # 987654: 4×2=8, 5, 6×2=12→3, 7, 8×2=16→7, 9 → 39 → 1
            ("987654", 1),
            ("000000", 0),
        ],
    )
    def test_the_digit_follows_the_mhlw_rule(self, body: str, digit: int) -> None:
        assert modulus10_check_digit(body) == digit

    def test_a_number_is_valid_only_with_its_own_check_digit(self) -> None:
        assert has_valid_check_digit("10130011")
        assert not has_valid_check_digit("10130012")
        assert not has_valid_check_digit("１０１３００１１")  # full-width digits are folded before this check
        assert not has_valid_check_digit("1")


class TestInstitutionCode:
    """医療機関コード: 都道府県(2) 点数表(1) 郡市区(2) 番号(4) 検証番号(1); the digit covers 郡市区 and 番号 only."""

    # 13 1 01 2345 ?: over 012345 from the right: 5×2=10→1, 4, 3×2=6, 2, 1×2=2, 0 → 15 → 10−5 = 5
    VALID = "1310123455"

    def test_a_code_with_its_digit_is_valid(self) -> None:
        assert institution_code_is_valid(self.VALID)

    def test_the_prefecture_and_fee_table_do_not_enter_the_digit(self) -> None:
        # 27 3 01 2345 5: the same six digits, so the same digit
        assert institution_code_is_valid("2730123455")

    @pytest.mark.parametrize("code", ["1310123454", "131012345", "13101234550", "13101A3455", "１３１０１２３４５５"])
    def test_a_wrong_digit_or_length_is_refused(self, code: str) -> None:
        assert not institution_code_is_valid(code)


class TestMunicipalityCode:
    """全国地方公共団体コード: weights 6,5,4,3,2 on the first five digits, 11 − (sum mod 11), last digit kept."""

    @pytest.mark.parametrize(
        ("body", "digit"),
        [
            # 13112: 1×6 + 3×5 + 1×4 + 1×3 + 2×2 = 32; 32 mod 11 = 10; 11−10 = 1
            ("13112", 1),
            # 13901: 6 + 15 + 36 + 0 + 2 = 59; 59 mod 11 = 4; 11−4 = 7
            ("13901", 7),
            # 01100: 0 + 5 + 4 + 0 + 0 = 9; 9 mod 11 = 9; 11−9 = 2
            ("01100", 2),
            # 10000: 6; 6 mod 11 = 6; 11−6 = 5
            ("10000", 5),
            # 20000: 2×6 = 12; 12 mod 11 = 1; 11−1 = 10, whose last digit 0 is kept
            ("20000", 0),
            # 00000: 0 mod 11 = 0; 11−0 = 11, whose last digit 1 is kept
            ("00000", 1),
        ],
    )
    def test_the_digit_follows_the_modulus_11_rule(self, body: str, digit: int) -> None:
        assert modulus11_check_digit(body) == digit

    def test_a_code_is_valid_only_with_its_own_digit(self) -> None:
        assert municipality_code_is_valid("139017")
        assert not municipality_code_is_valid("139018")
        assert not municipality_code_is_valid("13901")
