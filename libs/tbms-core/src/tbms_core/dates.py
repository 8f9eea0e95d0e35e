"""Date arithmetic the rules share: ages and calendar months."""

from __future__ import annotations

import calendar
from datetime import date


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on a day."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def add_months(day: date, months: int) -> date:
    """The same day so many months later, the month's last day when it has no such day (1月31日 → 2月28日)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
