"""Adherence, interruptions, the next confirmation due, LTBI completion and the assessment's suggestion (R07)."""

from datetime import date, timedelta

import pytest
from patients.dots.adherence import adherence, next_due
from patients.dots.config import DEFAULT_ITEMS, DEFAULT_LEVELS, suggest
from patients.dots.ltbi import LTBI_REGIMENS, ltbi_completion

START = date(2025, 4, 1)
pytestmark = pytest.mark.req("R07", partial=True)


def statuses(first: date, pattern: str) -> dict[date, str]:
    """t taken, m missed, u unknown, . nothing recorded, one character a day from `first`."""
    names = {"t": "taken", "m": "missed", "u": "unknown"}
    return {first + timedelta(days=n): names[c] for n, c in enumerate(pattern) if c != "."}


class TestAdherence:
    """Doses confirmed over doses planned, per treatment week and for the course."""

    def test_weeks_start_on_the_first_day_and_the_course_counts_every_day(self) -> None:
        result = adherence(START, None, statuses(START, "tttttmm" + "ttt.ttu" + "tt"), as_of=date(2025, 4, 16))
        assert [(w.planned, w.taken, w.missed, w.unknown) for w in result.weeks] == [
            (7, 5, 2, 0),
            (7, 5, 0, 1),
            (2, 2, 0, 0),
        ]
        assert (result.course.planned, result.course.taken, result.course.rate) == (16, 12, 0.75)

    def test_confirmations_outside_the_course_are_not_counted(self) -> None:
        days = statuses(START - timedelta(days=2), "tt" + "ttt" + "tt")
        result = adherence(START, date(2025, 4, 3), days, as_of=date(2025, 5, 1))
        assert (result.course.planned, result.course.taken) == (3, 3)

    def test_interruptions_are_runs_of_days_not_taken_and_a_gap_breaks_them(self) -> None:
        result = adherence(START, None, statuses(START, "tmmmt" + "m.m" + "mm"), as_of=date(2025, 4, 30))
        assert [(i.first.day, i.days) for i in result.interruptions] == [(2, 3), (6, 1), (8, 3)]
        assert result.longest_interruption == 3 and result.missed_in_first_months == 7

    def test_cumulative_days_count_only_the_first_nine_months(self) -> None:
        days = statuses(date(2025, 12, 25), "m" * 14)  # 9 months end on 2025-12-31 inclusive
        assert adherence(START, None, days, as_of=date(2026, 3, 1)).missed_in_first_months == 7


class TestDue:
    """A gap longer than the plan's frequency shows as a due date."""

    def test_due_is_the_last_contact_plus_the_interval(self) -> None:
        due = next_due(START, date(2025, 4, 10), 7, "B")
        assert due is not None and due.on == date(2025, 4, 17) and "令和7年4月10日" in due.why

    def test_without_a_contact_the_first_is_due_within_the_interval_from_the_start(self) -> None:
        due = next_due(START, None, 1, "A")
        assert due is not None and due.on == START

    def test_an_ended_plan_has_nothing_due(self) -> None:
        assert next_due(START, None, 7, "B", ended_on=date(2025, 5, 1)) is None


class TestLtbi:
    """LTBI completion is judged by the doses taken within the allowed time."""

    def test_completed_with_the_doses_needed(self) -> None:
        result = ltbi_completion(LTBI_REGIMENS["6H"], START, 180, as_of=date(2025, 10, 1))
        assert (result.label, result.doses_needed) == ("治療完了", 180)

    def test_on_treatment_while_time_remains_and_not_completed_after(self) -> None:
        regimen = LTBI_REGIMENS["4R"]
        assert ltbi_completion(regimen, START, 119, as_of=date(2025, 9, 30)).label == "治療中"
        assert ltbi_completion(regimen, START, 119, as_of=date(2025, 10, 1)).label == "未完了（服薬数不足）"

    def test_every_regimen_of_the_guideline_is_offered(self) -> None:
        assert set(LTBI_REGIMENS) == {"6H", "9H", "4R", "6R", "3HR", "4HR"}


class TestSuggestion:
    """The F01 assessment suggests an intensity and a DOTS type."""

    def test_a_high_risk_item_makes_level_a_and_suggests_visits(self) -> None:
        result = suggest(DEFAULT_ITEMS, {"homeless": {"applies": True}}, DEFAULT_LEVELS)
        assert (result.level, result.dots_type) == ("A", "visit") and "住所不定" in result.why

    def test_two_items_make_level_b_and_none_level_c(self) -> None:
        answers = {"alone": {"applies": True}, "financial": {"applies": True, "note": "失業中"}}
        assert suggest(DEFAULT_ITEMS, answers, DEFAULT_LEVELS).level == "B"
        assert suggest(DEFAULT_ITEMS, {"alone": {"applies": False}}, DEFAULT_LEVELS).dots_type == "contact"

    def test_the_default_items_are_grouped_in_the_three_groups_of_the_sheet(self) -> None:
        assert {item["group"] for item in DEFAULT_ITEMS} == {"disease", "patient", "social"}
