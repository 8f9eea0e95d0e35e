"""Adherence (服薬率) and interruptions (中断) of one course, and the next confirmation due; pure functions.

Regimens are given once daily (結核医療の基準, TB_PRACTICE §5.3), so every day of the course is one planned dose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from tbms_core.jp.wareki import format_wareki

from patients.dots.cohort import DEFAULT_RULES, CohortRules, interruption_runs, missed_in_first_months

TAKEN, MISSED, UNKNOWN = "taken", "missed", "unknown"


@dataclass(frozen=True)
class Period:
    """Doses over one stretch of the course: planned, confirmed taken, confirmed missed, unknown."""

    first: date
    last: date
    planned: int
    taken: int
    missed: int
    unknown: int

    @property
    def rate(self) -> float | None:
        """Doses confirmed taken over doses planned (None when nothing was planned)."""
        return round(self.taken / self.planned, 4) if self.planned else None


@dataclass(frozen=True)
class Interruption:
    """Consecutive days confirmed as not taken."""

    first: date
    last: date

    @property
    def days(self) -> int:
        """How many days the interruption lasted."""
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Adherence:
    """A course's doses per week and in total, its interruptions and the cumulative days in the first 9 months."""

    course: Period
    weeks: list[Period]
    interruptions: list[Interruption]
    missed_in_first_months: int

    @property
    def longest_interruption(self) -> int:
        """The longest run of days not taken."""
        return max((i.days for i in self.interruptions), default=0)


@dataclass(frozen=True)
class Due:
    """The date the next confirmation is due and why, as the page and the to-do show it."""

    on: date
    why: str


def _period(first: date, last: date, statuses: Mapping[date, str]) -> Period:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    counted = [statuses.get(day) for day in days]
    return Period(
        first=first,
        last=last,
        planned=len(days),
        taken=counted.count(TAKEN),
        missed=counted.count(MISSED),
        unknown=counted.count(UNKNOWN),
    )


def adherence(
    started_on: date,
    ended_on: date | None,
    statuses: Mapping[date, str],
    as_of: date,
    rules: CohortRules = DEFAULT_RULES,
) -> Adherence:
    """Doses confirmed over doses planned per treatment week (week 1 starts on the first day) and for the course.

    The course runs from its start to its end, or to `as_of` while it goes on; confirmations outside it are not
    counted.
    """
    last = min(ended_on, as_of) if ended_on else as_of
    inside = {day: status for day, status in statuses.items() if started_on <= day <= last}
    if last < started_on:
        empty = Period(started_on, started_on, 0, 0, 0, 0)
        return Adherence(empty, [], [], 0)
    weeks = []
    first = started_on
    while first <= last:
        weeks.append(_period(first, min(first + timedelta(days=6), last), inside))
        first += timedelta(days=7)
    missed = [day for day, status in inside.items() if status == MISSED]
    return Adherence(
        course=_period(started_on, last, inside),
        weeks=weeks,
        interruptions=[Interruption(a, b) for a, b in interruption_runs(missed)],
        missed_in_first_months=missed_in_first_months(started_on, missed, rules),
    )


def next_due(
    plan_start: date, last_contact: date | None, interval_days: int, intensity_label: str, ended_on: date | None = None
) -> Due | None:
    """The day a confirmation is due: the last contact (or the plan's start) plus the intensity's interval.

    A gap longer than the plan's frequency shows as a due date in the past. None once the plan has ended.
    """
    if ended_on is not None:
        return None
    if last_contact is None:
        on = plan_start + timedelta(days=interval_days - 1)
        return Due(on, f"支援開始日（{format_wareki(plan_start)}）から{interval_days}日以内（{intensity_label}）")
    on = last_contact + timedelta(days=interval_days)
    return Due(on, f"最終確認日（{format_wareki(last_contact)}）から{interval_days}日後（{intensity_label}）")
