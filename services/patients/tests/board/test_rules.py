"""The 診査会's date rules at their boundaries: cover from receipt for six months (month ends included), a
continuation without a gap, the one-month decision due date, 72 hours, the configured 20条 period and extension,
the 37条 co-payment and the 受給者番号's 検証番号 (R05, R29)."""

from datetime import date, timedelta

import pytest
from patients.board import rules
from patients.board.rules import BoardRules
from patients.care.schemas import six_months_end
from tbms_core.clock import jst
from tbms_core.jp.check_digits import has_valid_check_digit

pytestmark = pytest.mark.req("R05", partial=True)


class TestNewCover:
    """37条の2: from the day of receipt, never earlier, six months at most."""

    @pytest.mark.parametrize(
        ("received", "end"),
        [
            (date(2026, 4, 10), date(2026, 10, 9)),
            (date(2026, 1, 1), date(2026, 6, 30)),
            (date(2025, 8, 31), date(2026, 2, 28)),  # February has no 31st: its last day
            (date(2027, 8, 31), date(2028, 2, 29)),  # leap year
            (date(2025, 8, 29), date(2026, 2, 28)),  # no 29th in Feb 2026 either
            (date(2025, 8, 28), date(2026, 2, 27)),
            (date(2026, 3, 31), date(2026, 9, 30)),  # September has no 31st
            (date(2026, 7, 1), date(2026, 12, 31)),
            (date(2026, 9, 1), date(2027, 2, 28)),  # across the year end
        ],
    )
    def test_starts_on_receipt_and_ends_six_months_later(self, received: date, end: date) -> None:
        period = rules.new_cover(received)
        assert (period.start, period.end) == (received, end)
        assert "受理日" in period.why and "遡及しない" in period.why

    def test_agrees_with_the_care_records_six_month_rule_every_day_of_two_years(self) -> None:
        day = date(2025, 1, 1)
        while day < date(2027, 1, 1):
            assert rules.new_cover(day).end == six_months_end(day), day
            day += timedelta(days=1)


class TestContinuation:
    """A continuation filed before expiry continues without a gap; filed after, it starts on its receipt."""

    def test_filed_before_expiry_starts_the_day_after(self) -> None:
        period = rules.continued_cover(date(2026, 9, 20), date(2026, 10, 9))
        assert (period.start, period.end) == (date(2026, 10, 10), date(2027, 4, 9))
        assert "切れ目なし" in period.why

    def test_filed_on_the_last_day_still_continues(self) -> None:
        period = rules.continued_cover(date(2026, 2, 28), date(2026, 2, 28))
        assert (period.start, period.end) == (date(2026, 3, 1), date(2026, 8, 31))

    def test_filed_a_day_late_starts_on_receipt(self) -> None:
        period = rules.continued_cover(date(2026, 10, 10), date(2026, 10, 9))
        assert (period.start, period.end) == (date(2026, 10, 10), date(2027, 4, 9))
        assert "切れ目なし" not in period.why


class TestDecisionDue:
    """The 知事 decides within one month of receipt (施行規則20条の3)."""

    @pytest.mark.parametrize(
        ("received", "due"),
        [
            (date(2026, 4, 10), date(2026, 5, 10)),
            (date(2026, 1, 31), date(2026, 2, 28)),
            (date(2028, 1, 31), date(2028, 2, 29)),
            (date(2026, 12, 15), date(2027, 1, 15)),
        ],
    )
    def test_one_month_after_receipt(self, received: date, due: date) -> None:
        assert rules.decision_due(received).on == due

    def test_days_left_count_down_to_zero_and_below(self) -> None:
        due = rules.decision_due(date(2026, 4, 10))
        assert due.days_left(date(2026, 4, 10)) == 30
        assert due.days_left(date(2026, 5, 10)) == 0
        assert due.days_left(date(2026, 5, 12)) == -2


class TestRecommendations:
    """19条 at most 72 hours; 20条 the configured days (30 by default) and each extension after it."""

    def test_emergency_admission_ends_72_hours_after_it_began(self) -> None:
        assert rules.emergency_end(jst(2026, 4, 10, 15, 30)) == jst(2026, 4, 13, 15, 30)

    def test_emergency_hours_cross_the_month_end(self) -> None:
        assert rules.emergency_end(jst(2026, 2, 27, 9)) == jst(2026, 3, 2, 9)

    def test_admission_is_thirty_days_counting_the_first(self) -> None:
        period = rules.admission_period(date(2026, 4, 1))
        assert (period.start, period.end) == (date(2026, 4, 1), date(2026, 4, 30))
        assert "未確認" in period.why

    def test_the_configured_period_is_used(self) -> None:
        period = rules.admission_period(date(2026, 4, 1), BoardRules(admission_days=10))
        assert period.end == date(2026, 4, 10)

    def test_an_extension_starts_the_day_after_and_runs_the_configured_days(self) -> None:
        period = rules.extension_period(date(2026, 4, 30))
        assert (period.start, period.end) == (date(2026, 5, 1), date(2026, 5, 30))
        assert rules.extension_period(date(2026, 4, 30), BoardRules(extension_days=20)).end == date(2026, 5, 20)

    def test_the_basis_names_the_law_and_the_unconfirmed_default(self) -> None:
        basis = BoardRules().basis()
        assert "法20条" in basis["admission_days"] and "未確認" in basis["admission_days"]
        assert "72時間" in basis["emergency_hours"]


class TestCopay:
    """37条: above ¥564,000 of 市町村民税所得割 the patient pays up to ¥20,000 a month."""

    def test_at_the_threshold_nothing_is_paid(self) -> None:
        assert not rules.copay(564_000).applies

    def test_one_yen_over_pays_up_to_twenty_thousand(self) -> None:
        result = rules.copay(564_001)
        assert result.applies and result.cap_yen == 20_000 and "法37条" in result.why

    def test_unknown_income_is_flagged(self) -> None:
        assert "未入力" in rules.copay(None).why


@pytest.mark.req("R29")
class TestRecipientNumber:
    """受給者番号: 6-digit 受給者区分 and the MHLW 検証番号."""

    def test_digits_and_check_digit(self) -> None:
        # 000001: products from the last digit 1×2 → 2; (10 − 2) = 8
        assert rules.recipient_number(1) == "0000018"
        assert rules.recipient_number(123456) == "1234566"
        assert all(has_valid_check_digit(rules.recipient_number(n)) for n in range(1, 2000))

    def test_beyond_six_digits_is_refused(self) -> None:
        with pytest.raises(ValueError, match="6桁"):
            rules.recipient_number(1_000_000)
