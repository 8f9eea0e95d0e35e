"""Japan's days off: weekends, national holidays (国民の祝日), 振替休日 and 国民の休日, and the year-end break.

The holidays come from jpholiday, which follows the 国民の祝日に関する法律 including the substitute and
in-between days; the year-end and new-year break of public offices (12月29日〜1月3日, 行政機関の休日に関する法律
第1条) is added here.
"""

from __future__ import annotations

from datetime import date

import jpholiday

__all__ = ["day_off_name", "is_day_off"]

YEAR_END = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


def day_off_name(day: date) -> str | None:
    """Why public offices are closed on the day (祝日の名前, 土曜日, 日曜日, 年末年始), or None on a working day."""
    if name := jpholiday.is_holiday_name(day):
        return name
    if (day.month, day.day) in YEAR_END:
        return "年末年始"
    if day.weekday() == 5:
        return "土曜日"
    if day.weekday() == 6:
        return "日曜日"
    return None


def is_day_off(day: date) -> bool:
    """True on weekends, holidays and the year-end break."""
    return day_off_name(day) is not None
