"""The infectious period and the delays of the 行動調査 as pure date rules, at their exact boundaries (R08)."""

from datetime import date

import pytest
from patients.investigation.rules import doctor_delay, infectious_period, overlap, patient_delay

pytestmark = pytest.mark.req("R08", partial=True)
BASE = {
    "cough_onset": None,
    "found_by_screening": False,
    "first_positive_on": None,
    "diagnosed_on": None,
    "smear_negative": False,
    "treatment_started_on": None,
    "isolated_on": None,
}


def period(**given: object):  # type: ignore[no-untyped-def]
    return infectious_period(**(BASE | given))  # type: ignore[arg-type]


class TestStart:
    """Three cases of the start, each shown with its rule."""

    def test_three_months_before_the_cough(self) -> None:
        found = period(cough_onset=date(2026, 5, 31), diagnosed_on=date(2026, 7, 1))
        assert found.start == date(2026, 2, 28) and found.case == "cough_onset"
        assert found.rule == "咳の出現（令和8年5月31日）の3か月前"

    def test_onset_unclear_counts_from_the_first_positive_finding(self) -> None:
        found = period(first_positive_on=date(2026, 6, 10), diagnosed_on=date(2026, 6, 20))
        assert found.start == date(2026, 3, 10) and found.case == "onset_unclear"
        assert "咳の出現時期が不明" in found.rule and "最初の陽性所見" in found.rule

    def test_onset_unclear_without_a_positive_finding_counts_from_the_diagnosis(self) -> None:
        assert period(diagnosed_on=date(2026, 6, 20)).start == date(2026, 3, 20)

    def test_found_by_screening_counts_from_the_first_positive_even_with_a_cough(self) -> None:
        found = period(cough_onset=date(2026, 1, 5), found_by_screening=True, first_positive_on=date(2026, 6, 10))
        assert found.start == date(2026, 3, 10) and found.case == "screening"

    def test_smear_negative_counts_back_fewer_months(self) -> None:
        found = period(cough_onset=date(2026, 5, 31), smear_negative=True)
        assert found.start == date(2026, 4, 30) and "塗抹陰性" in found.rule

    def test_the_end_is_the_first_of_treatment_and_isolation(self) -> None:
        found = period(
            cough_onset=date(2026, 5, 1), treatment_started_on=date(2026, 7, 3), isolated_on=date(2026, 7, 1)
        )
        assert found.end == date(2026, 7, 1) and found.end_rule.startswith("隔離・入院")
        assert period(cough_onset=date(2026, 5, 1)).end is None

    def test_an_override_keeps_the_computed_rule_and_the_reason(self) -> None:
        found = period(
            cough_onset=date(2026, 5, 1), override_start=date(2026, 1, 1), override_reason="家族の証言で早い発症"
        )
        assert found.start == date(2026, 1, 1) and found.overridden and found.case == "override"
        assert found.rule.startswith("咳の出現") and found.override_reason == "家族の証言で早い発症"


class TestDelays:
    """受診の遅れ at 2 calendar months, 診断の遅れ at 1 calendar month: on the same day later counts."""

    def test_patient_delay_boundary(self) -> None:
        assert patient_delay(date(2026, 1, 15), date(2026, 3, 14)).delayed is False
        assert patient_delay(date(2026, 1, 15), date(2026, 3, 15)).delayed is True

    def test_patient_delay_boundary_at_a_month_end(self) -> None:
        # 31 Dec + 2 months has no 31st: the last day of February is the threshold.
        assert patient_delay(date(2025, 12, 31), date(2026, 2, 27)).delayed is False
        assert patient_delay(date(2025, 12, 31), date(2026, 2, 28)).delayed is True

    def test_doctor_delay_boundary(self) -> None:
        assert doctor_delay(date(2026, 3, 10), date(2026, 4, 9)).delayed is False
        assert doctor_delay(date(2026, 3, 10), date(2026, 4, 10)).delayed is True
        assert doctor_delay(date(2026, 1, 31), date(2026, 2, 28)).delayed is True

    def test_unknown_dates_judge_nothing(self) -> None:
        assert patient_delay(None, date(2026, 3, 1)).delayed is None
        assert doctor_delay(date(2026, 3, 1), None).delayed is None


def test_overlap_with_the_infectious_period() -> None:
    assert overlap(date(2026, 1, 1), date(2026, 6, 30), date(2026, 5, 1), None) == (date(2026, 5, 1), date(2026, 6, 30))
    assert overlap(date(2026, 1, 1), date(2026, 6, 30), date(2025, 1, 1), date(2025, 12, 31)) is None
