"""When the periodic reviews fall due: monthly for the operation history, quarterly and after April's personnel
changes for the access rights, each with its reason."""

from __future__ import annotations

from datetime import date

import pytest
from identity.review_calendar.rules import CalendarSettings, calendar_of

SETTINGS = CalendarSettings()


class TestCalendar:
    @pytest.mark.req("N21", partial=True)
    def test_monthly_log_reviews_quarterly_rights_reviews_and_the_april_one_are_listed_with_their_due_dates(
        self,
    ) -> None:
        listed = {(p.kind, p.period): p for p in calendar_of(date(2031, 5, 20), SETTINGS)}
        assert [key for key in listed if key[0] == "access_log"] == [
            ("access_log", "2031-02"),
            ("access_log", "2031-03"),
            ("access_log", "2031-04"),
            ("access_log", "2031-05"),
            ("access_log", "2031-06"),
        ]
        april = listed[("access_log", "2031-04")]
        assert (april.due_on, april.why) == (
            date(2031, 5, 10),
            "毎月の確認: 4月分の操作履歴と検知結果を翌月10日までに確認",
        )
        quarter = listed[("rights", "2031-01/03")]
        assert (quarter.label, quarter.due_on) == ("2031年1月〜3月", date(2031, 4, 30))
        personnel = listed[("rights", "2031-04-personnel")]
        assert (personnel.label, personnel.due_on) == ("2031年4月 人事異動後", date(2031, 4, 30))
        assert ("rights", "2031-04/06") in listed and ("rights", "2031-07/09") in listed
        assert ("rights", "2030-10/12") not in listed  # due 2031-01-30: further back than the lookback

    def test_the_settings_move_the_due_dates(self) -> None:
        settings = CalendarSettings(log_review_due_day=31, rights_review_grace_days=10, personnel_due_day=15)
        listed = {(p.kind, p.period): p for p in calendar_of(date(2031, 5, 20), settings)}
        assert listed[("access_log", "2031-01")].due_on == date(2031, 2, 28)  # the 31st of a short month: its end
        assert listed[("rights", "2031-01/03")].due_on == date(2031, 4, 10)
        assert listed[("rights", "2031-04-personnel")].due_on == date(2031, 4, 15)
