"""The synthetic master data `make dev` loads: valid check digits, fictitious names, the same rows every run."""

from __future__ import annotations

from collections import Counter

import pytest
from tbms_core.jp.check_digits import institution_code_is_valid, modulus10_check_digit
from tbms_tools.demo_masters import (
    AGE_GROUPS,
    PLACES,
    demo_masters,
    institution_code,
    municipality_code,
    payer_number,
)

DISTRICTS = [{"code": "setagaya", "name": "世田谷"}, {"code": "kinuta", "name": "砧"}]


class TestCheckDigits:
    """The codes carry the check digit masters verifies."""

    def test_municipality_codes_follow_the_modulus_11_rule(self) -> None:
        assert municipality_code("13000") == "130001"  # 東京都
        assert municipality_code("13112") == "131121"  # 世田谷区
        assert municipality_code("01000") == "010006"  # 北海道

    def test_payer_numbers_follow_the_mhlw_modulus_10_rule(self) -> None:
        assert modulus10_check_digit("1013001") == 1 and modulus10_check_digit("1113001") == 0  # 10130011, 11130010

    def test_an_institution_code_checks_its_seven_digit_part(self) -> None:
        code = institution_code("1", "99", 9001)
        assert len(code) == 10 and code.startswith("13199") and institution_code_is_valid(code)

    def test_a_payer_number_is_law_prefecture_agency_and_check_digit(self) -> None:
        number = payer_number("10", 901)
        assert number[:7] == "1013901" and int(number[-1]) == modulus10_check_digit("1013901")


class TestDemoMasters:
    """What `tbms demo-data` sends to masters."""

    def test_the_rows_are_the_same_every_run_and_unique_per_kind(self) -> None:
        rows = demo_masters(DISTRICTS)
        assert rows == demo_masters(DISTRICTS)
        assert len({(row.kind, row.code) for row in rows}) == len(rows)

    def test_there_are_a_few_dozen_of_each_reference_list(self) -> None:
        counts = Counter(row.kind for row in demo_masters(DISTRICTS))
        assert counts["letterhead"] == 1 and counts["institution"] == 30 and counts["doctor"] == 20
        assert counts["municipality"] == 10 and counts["board_member"] == 6 and counts["payer_number"] == 6
        assert counts["staff_assignment"] == len(DISTRICTS)
        assert counts["population"] == len(DISTRICTS) * len(AGE_GROUPS) * 2

    @pytest.mark.req("N14", partial=True)
    def test_people_and_places_are_fictitious(self) -> None:
        rows = demo_masters(DISTRICTS)
        fictitious = tuple(place for place, _ in PLACES)
        people = [row for row in rows if row.kind in ("doctor", "board_member")]
        assert all(row.name.startswith(fictitious) for row in people)
        assert next(row for row in rows if row.kind == "letterhead").name == "架空区保健所"
        assert all(row.data["address"].startswith("東京都架空区") for row in rows if row.kind == "institution")

    def test_every_doctor_works_at_a_demo_hospital_or_clinic(self) -> None:
        rows = demo_masters(DISTRICTS)
        clinics = {row.code for row in rows if row.kind == "institution" and row.data["type"] != "pharmacy"}
        assert all(row.data["institution_code"] in clinics for row in rows if row.kind == "doctor")
