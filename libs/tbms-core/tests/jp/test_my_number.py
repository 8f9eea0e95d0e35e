"""個人番号 look-alikes in free text: the 検査用数字 worked out by hand, synthetic numbers only (N17)."""

from __future__ import annotations

import pytest
from tbms_core.jp.my_number import find_my_numbers, is_my_number, my_number_check_digit

pytestmark = pytest.mark.req("N17", partial=True)


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        # from the lowest digit: 1×2 + 0×3 + 9×4 + 8×5 + 7×6 + 6×7 + 5×2 + 4×3 + 3×4 + 2×5 + 1×6 = 212;
        # 212 mod 11 = 3 → 11 − 3 = 8
        ("12345678901", 8),
        # all ones: 2+3+4+5+6+7+2+3+4+5+6 = 47; 47 mod 11 = 3 → 8
        ("11111111111", 8),
        # only P11 = 2: 2×6 = 12; 12 mod 11 = 1 ≤ 1 → 0
        ("20000000000", 0),
        # only P2 = 1: 1×3 = 3 → 11 − 3 = 8
        ("00000000010", 8),
        # only P1 = 5: 5×2 = 10 → 11 − 10 = 1
        ("00000000005", 1),
        ("00000000000", 0),
    ],
)
def test_check_digit_follows_the_ordinance(body: str, digit: int) -> None:
    assert my_number_check_digit(body) == digit


def test_check_digit_needs_eleven_digits() -> None:
    with pytest.raises(ValueError, match="11桁"):
        my_number_check_digit("1234567890")


def test_a_number_is_one_only_with_its_check_digit() -> None:
    assert is_my_number("123456789018")
    assert not is_my_number("123456789017")
    assert not is_my_number("12345678901")
    assert not is_my_number("1234567890188")


@pytest.mark.parametrize(
    "text",
    [
        "番号 123456789018 を聞いた",
        "1234-5678-9018",
        "1234 5678 9018",
        "１２３４５６７８９０１８",
        "１２３４－５６７８－９０１８",
        "末尾111111111118です",
    ],
)
def test_found_in_free_text_as_typed(text: str) -> None:
    assert len(find_my_numbers(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "123456789017",  # wrong check digit
        "1234567890189",  # thirteen digits: part of a longer number
        "電話 03-1234-5678",  # ten digits
        "受給者番号 12345678",
        "R8.10.1 喀痰塗抹 2+",
    ],
)
def test_other_numbers_pass(text: str) -> None:
    assert find_my_numbers(text) == []
