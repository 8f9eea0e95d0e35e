"""Japan's days off: national holidays with 振替休日 and 国民の休日, weekends, the year-end break."""

from datetime import date

import pytest
from tbms_core.jp.calendar import day_off_name, is_day_off


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "元日"),
        (date(2026, 1, 12), "成人の日"),  # second Monday of January
        (date(2026, 5, 6), "憲法記念日 振替休日"),  # 5/3 falls on a Sunday
        (date(2026, 9, 22), "国民の休日"),  # between 敬老の日 (9/21) and 秋分の日 (9/23)
        (date(2025, 11, 24), "勤労感謝の日 振替休日"),
        (date(2026, 12, 29), "年末年始"),
        (date(2027, 1, 3), "年末年始"),
        (date(2026, 12, 5), "土曜日"),
        (date(2026, 12, 6), "日曜日"),
    ],
)
def test_days_off_are_named(day: date, name: str) -> None:
    assert day_off_name(day) == name
    assert is_day_off(day)


@pytest.mark.parametrize("day", [date(2026, 12, 3), date(2026, 12, 28), date(2027, 1, 4), date(2026, 5, 7)])
def test_working_days_are_not_days_off(day: date) -> None:
    assert day_off_name(day) is None
    assert not is_day_off(day)
