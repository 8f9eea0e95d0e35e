"""Japan's clock: today is the date in Asia/Tokyo whatever the machine's zone, and tests can set it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from tbms_core import clock


class TestClock:
    """tbms_core.clock.today and now."""

    def test_now_is_aware_and_in_japan(self) -> None:
        moment = clock.now()
        assert moment.utcoffset() == timedelta(hours=9)
        assert abs(moment - datetime.now(UTC)) < timedelta(seconds=5)

    @pytest.mark.parametrize(
        ("utc", "japan_date"),
        [
            (datetime(2026, 12, 2, 15, 30, tzinfo=UTC), date(2026, 12, 3)),  # 00:30 JST: UTC still says the 2nd
            (datetime(2026, 12, 2, 14, 30, tzinfo=UTC), date(2026, 12, 2)),  # 23:30 JST
            (datetime(2026, 12, 31, 15, 0, tzinfo=UTC), date(2027, 1, 1)),  # New Year in Japan first
        ],
    )
    def test_today_is_the_date_in_japan(self, utc: datetime, japan_date: date) -> None:
        with clock.frozen_at(utc):
            assert clock.today() == japan_date
            assert clock.now().tzinfo is clock.JST

    def test_a_set_clock_runs_on_and_is_restored(self) -> None:
        with clock.frozen_at(clock.jst(2031, 7, 15, 23, 59)):
            first = clock.now()
            assert first.date() == date(2031, 7, 15)
            assert clock.now() >= first
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)

    def test_a_naive_moment_is_refused(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            clock.set_clock(datetime(2031, 7, 15, 0, 30))
