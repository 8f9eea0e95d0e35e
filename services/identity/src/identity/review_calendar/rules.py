"""When the periodic reviews are due (N21): the operation-history review each month, the access-rights review each
quarter and after April's personnel changes. Pure functions of today and the settings; each due date says why."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

ACCESS_LOG, RIGHTS = "access_log", "rights"
KINDS = {ACCESS_LOG: "操作履歴(アクセスログ)の確認", RIGHTS: "アクセス権限の見直し"}


@dataclass(frozen=True)
class CalendarSettings:
    """The review calendar's settings, each with the default the health center starts from."""

    log_review_due_day: int = 10  # a month's operation history is reviewed by this day of the next month
    rights_review_grace_days: int = 30  # a quarter's rights review is due this many days after the quarter ends
    personnel_month: int = 4  # 4月の人事異動: the rights are reviewed again after it …
    personnel_due_day: int = 30  # … by this day of that month
    lookback_days: int = 93  # reviews due this far back are still listed (done or overdue)


@dataclass(frozen=True)
class DuePeriod:
    """One review to do: what, for which period, by when and why."""

    kind: str
    period: str  # the key a recorded review names: 2026-11, 2026-07/09, 2026-04-personnel
    label: str
    starts_on: date
    ends_on: date
    due_on: date
    why: str


def month_end(day: date) -> date:
    """The last day of the day's month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _on(day: date, wanted: int) -> date:
    return day.replace(day=min(wanted, calendar.monthrange(day.year, day.month)[1]))


def log_reviews(first: date, last: date, settings: CalendarSettings) -> list[DuePeriod]:
    """The monthly operation-history reviews of the months from `first`'s to `last`'s."""
    found, month = [], first.replace(day=1)
    while month <= last:
        due = _on(add_months(month, 1), settings.log_review_due_day)
        found.append(
            DuePeriod(
                ACCESS_LOG,
                month.strftime("%Y-%m"),
                f"{month.year}年{month.month}月分",
                month,
                month_end(month),
                due,
                f"毎月の確認: {month.month}月分の操作履歴と検知結果を翌月{settings.log_review_due_day}日までに確認",
            )
        )
        month = add_months(month, 1)
    return found


def rights_reviews(first: date, last: date, settings: CalendarSettings) -> list[DuePeriod]:
    """The quarterly rights reviews, and the one after April's personnel changes, of the years in the range."""
    found = []
    for year in range(first.year - 1, last.year + 1):
        for start_month in (1, 4, 7, 10):
            starts = date(year, start_month, 1)
            ends = month_end(add_months(starts, 2))
            due = ends + timedelta(days=settings.rights_review_grace_days)
            found.append(
                DuePeriod(
                    RIGHTS,
                    f"{starts:%Y-%m}/{ends:%m}",
                    f"{year}年{start_month}月〜{ends.month}月",
                    starts,
                    ends,
                    due,
                    f"四半期ごとの見直し: 期末から{settings.rights_review_grace_days}日以内",
                )
            )
        moved = date(year, settings.personnel_month, 1)
        found.append(
            DuePeriod(
                RIGHTS,
                f"{moved:%Y-%m}-personnel",
                f"{year}年{moved.month}月 人事異動後",
                moved,
                moved,
                _on(moved, settings.personnel_due_day),
                f"人事異動({moved.month}月)後の見直し: {moved.month}月{settings.personnel_due_day}日まで",
            )
        )
    return found


def calendar_of(today: date, settings: CalendarSettings) -> list[DuePeriod]:
    """The reviews started by today and due since `lookback_days` ago, plus the next one of each kind."""
    since = today - timedelta(days=settings.lookback_days)
    every = [
        *log_reviews(add_months(since, -2), add_months(today, 1), settings),
        *rights_reviews(since, today + timedelta(days=400), settings),
    ]
    listed = [p for p in every if p.due_on >= since and p.starts_on <= today]
    for kind in KINDS:
        later = sorted((p for p in every if p.kind == kind and p.starts_on > today), key=lambda p: p.due_on)
        listed += later[:1]
    return sorted(listed, key=lambda p: (p.due_on, p.kind))
