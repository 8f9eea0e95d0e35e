"""コホート判定 as 結核医療の基準 defines it: one test per outcome and the boundaries, with dated results (R07)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from patients.dots.cohort import CohortFacts, CohortRules, SputumResult, judge, month_of

START = date(2025, 1, 10)
END = date(2025, 7, 9)  # six months of 2HREZ/4HR
AS_OF = date(2026, 12, 31)  # the end of the year after, when the cohort is reviewed


def culture(on: date, positive: bool) -> SputumResult:
    return SputumResult(on, "culture", positive)


def smear(on: date, positive: bool | None) -> SputumResult:
    return SputumResult(on, "smear", positive)


def course(**changes: object) -> CohortFacts:
    facts: dict[str, object] = {"as_of": AS_OF, "started_on": START, "regimen": "2HREZ/4HR", "ended_on": END}
    return CohortFacts(**(facts | changes))  # type: ignore[arg-type]


NEGATIVE_CONVERSION = (culture(START, True), culture(date(2025, 3, 10), False), culture(date(2025, 6, 20), False))


def days(first: date, count: int) -> frozenset[date]:
    return frozenset(first + timedelta(days=n) for n in range(count))


pytestmark = pytest.mark.req("R07", partial=True)


class TestMonths:
    """Months are counted from the start of treatment: month 1 is its first month."""

    def test_month_six_begins_five_calendar_months_after_the_start(self) -> None:
        assert month_of(START, START) == 1
        assert month_of(START, date(2025, 6, 9)) == 5
        assert month_of(START, date(2025, 6, 10)) == 6
        assert month_of(START, date(2025, 10, 9)) == 9
        assert month_of(START, date(2025, 10, 10)) == 10
        assert month_of(START, date(2025, 1, 9)) == 0

    def test_a_start_on_the_31st_counts_months_by_their_last_day(self) -> None:
        start = date(2025, 1, 31)
        assert month_of(start, date(2025, 2, 27)) == 1
        assert month_of(start, date(2025, 2, 28)) == 2


class TestOutcomes:
    """Each of the eight outcomes, with the rule that decided it."""

    def test_cured_when_the_last_test_to_month_5_and_all_of_months_6_to_9_are_negative(self) -> None:
        outcome = judge(course(results=NEGATIVE_CONVERSION))
        assert (outcome.code, outcome.label) == ("cured", "治癒")
        assert "令和7年3月10日" in outcome.rule and "1回がすべて陰性" in outcome.rule

    def test_completed_when_months_6_to_9_were_not_tested(self) -> None:
        outcome = judge(course(results=NEGATIVE_CONVERSION[:2]))
        assert outcome.label == "治療完了" and "6〜9か月目の菌検査がありません" in outcome.rule

    def test_completed_when_the_last_test_to_month_5_was_positive(self) -> None:
        results = (culture(date(2025, 5, 1), True), culture(date(2025, 6, 20), False))
        outcome = judge(course(results=results))
        assert outcome.label == "治療完了" and "陽性です" in outcome.rule

    def test_died_during_treatment(self) -> None:
        outcome = judge(course(ended_on=None, died_on=date(2025, 3, 1), death_cause="tb"))
        assert (outcome.label, outcome.sub_label) == ("死亡", "結核死")
        assert "治療中の死亡（令和7年3月1日、治療開始から2か月目）" in outcome.rule

    def test_a_death_after_the_course_ended_does_not_change_its_outcome(self) -> None:
        outcome = judge(course(results=NEGATIVE_CONVERSION, died_on=date(2025, 9, 1)))
        assert outcome.label == "治癒"

    def test_failed_when_a_culture_is_positive_in_months_6_to_9(self) -> None:
        outcome = judge(course(results=(*NEGATIVE_CONVERSION, culture(date(2025, 8, 1), True))))
        assert outcome.label == "治療失敗" and "7か月目（令和7年8月1日採取）の培養が陽性" in outcome.rule

    def test_a_positive_smear_in_the_window_also_fails(self) -> None:
        outcome = judge(course(results=(smear(date(2025, 9, 1), True),)))
        assert outcome.label == "治療失敗" and "塗抹" in outcome.rule

    def test_lost_after_sixty_consecutive_days_not_taken(self) -> None:
        outcome = judge(course(missed_days=days(date(2025, 3, 1), 60)))
        assert (outcome.label, outcome.sub_label) == ("脱落・中断", "連続した中断")
        assert "60日連続" in outcome.rule

    def test_lost_when_the_patient_stopped_of_their_own_accord(self) -> None:
        outcome = judge(course(ended_on=date(2025, 4, 1), end_reason="self_stopped"))
        assert (outcome.label, outcome.sub_label) == ("脱落・中断", "自己判断による治療終了")

    def test_transferred_out_during_treatment(self) -> None:
        outcome = judge(course(ended_on=None, transferred_out_on=date(2025, 4, 1)))
        assert outcome.label == "転出" and "令和7年4月1日" in outcome.rule

    def test_still_on_treatment_after_twelve_months(self) -> None:
        outcome = judge(course(ended_on=None, as_of=date(2026, 1, 10)))
        assert outcome.label == "12か月を超える治療"
        assert judge(course(ended_on=None, as_of=date(2026, 1, 9))).sub_label == "治療中（開始から12か月以内）"

    @pytest.mark.parametrize(
        ("changes", "sub_label"),
        [
            ({"started_on": None}, "治療開始日の記録がない"),
            ({"died_on": date(2025, 1, 5)}, "治療開始前の死亡"),
            ({"regimen": ""}, "初回の処方が不明"),
            ({"regimen": "other"}, "標準外の処方"),
            ({"end_reason": "hr_stopped"}, "INH・RFPの早期中止"),
        ],
    )
    def test_not_evaluated_names_its_sub_reason(self, changes: dict[str, object], sub_label: str) -> None:
        outcome = judge(course(**changes))
        assert (outcome.label, outcome.sub_label) == ("判定不能", sub_label)
        assert outcome.rule


class TestBoundaries:
    """The edges the rules turn on."""

    def test_a_positive_culture_on_the_first_day_of_month_6_fails(self) -> None:
        outcome = judge(course(results=(culture(date(2025, 6, 10), True),)))
        assert outcome.label == "治療失敗" and "6か月目" in outcome.rule

    def test_a_positive_culture_on_the_last_day_of_month_5_does_not_fail(self) -> None:
        results = (culture(date(2025, 6, 9), True), culture(date(2025, 6, 25), False))
        outcome = judge(course(results=results))
        assert outcome.label == "治療完了" and "陽性です" in outcome.rule

    def test_exactly_two_months_of_cumulative_interruption_is_lost(self) -> None:
        missed = days(date(2025, 2, 1), 30) | days(date(2025, 5, 1), 30)  # two spells of 30 days: 60 in all
        outcome = judge(course(missed_days=missed))
        assert (outcome.label, outcome.sub_label) == ("脱落・中断", "累積した中断")
        assert "累計60日" in outcome.rule

    def test_one_day_less_than_two_months_is_not_lost(self) -> None:
        missed = days(date(2025, 2, 1), 30) | days(date(2025, 5, 1), 29)
        assert judge(course(missed_days=missed)).label == "治療完了"

    def test_interruption_after_the_first_nine_months_does_not_count(self) -> None:
        long_course = course(ended_on=date(2025, 12, 31), regimen="2HRE/7HR")
        missed = days(date(2025, 9, 1), 39) | days(date(2025, 10, 20), 30)  # 39 within 9 months, 30 after
        assert judge(long_course).label == "治療完了"
        assert judge(replace(long_course, missed_days=missed)).label == "治療完了"

    def test_fifty_nine_consecutive_days_are_not_lost(self) -> None:
        assert judge(course(missed_days=days(date(2025, 3, 1), 59))).label == "治療完了"

    def test_a_transfer_out_hides_what_happened_after_it(self) -> None:
        after = (culture(date(2025, 8, 1), True),)
        outcome = judge(course(ended_on=None, transferred_out_on=date(2025, 7, 1), results=after))
        assert outcome.label == "転出"

    def test_a_transfer_after_the_course_ended_keeps_the_outcome(self) -> None:
        outcome = judge(course(results=NEGATIVE_CONVERSION, transferred_out_on=date(2025, 8, 1)))
        assert outcome.label == "治癒"

    def test_a_smear_of_plus_minus_is_neither_positive_nor_negative(self) -> None:
        outcome = judge(course(results=(smear(date(2025, 7, 1), None),)))
        assert outcome.label == "治療完了" and "6〜9か月目の菌検査がありません" in outcome.rule

    def test_the_limits_are_settings(self) -> None:
        missed = days(date(2025, 2, 1), 45)
        assert judge(course(missed_days=missed)).label == "治療完了"
        assert judge(course(missed_days=missed), CohortRules(interruption_days=45)).label == "脱落・中断"
