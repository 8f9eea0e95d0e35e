"""The 管理検診 schedule and the 登録除外 proposal as pure date rules (R06)."""

from datetime import date

import pytest
from patients.followup.config import DEFAULT_PROFILES, profiles
from patients.followup.rules import NORMAL, OBSERVE, RELAPSE, exclusion_proposal, period_end, profile_key, schedule

STANDARD = DEFAULT_PROFILES["standard"]
pytestmark = pytest.mark.req("R06", partial=True)


def dues(ended_on: date, key: str = "standard") -> list[date]:
    return [due.due_on for due in schedule(ended_on, DEFAULT_PROFILES[key])]


def test_a_treatment_ending_on_31_march_is_examined_every_6_months_for_2_years() -> None:
    assert dues(date(2026, 3, 31)) == [date(2026, 9, 30), date(2027, 3, 31), date(2027, 9, 30), date(2028, 3, 31)]
    assert period_end(date(2026, 3, 31), STANDARD) == date(2028, 3, 31)


def test_a_treatment_ending_on_31_august_falls_on_the_last_day_of_february() -> None:
    # 31 Aug + 6 months has no 31st: the month's last day (2027 is common, 2028 a leap year).
    assert dues(date(2026, 8, 31)) == [date(2027, 2, 28), date(2027, 8, 31), date(2028, 2, 29), date(2028, 8, 31)]


def test_each_date_says_why_it_is_what_it_is() -> None:
    first = schedule(date(2026, 3, 31), STANDARD)[0]
    assert first.reason == "治療終了日（令和8年3月31日）から6か月（治療終了後2年間・6か月ごと）"
    assert first.seq == 1 and first.months == 6


def test_a_changed_end_date_moves_every_date() -> None:
    assert dues(date(2026, 5, 15)) == [date(2026, 11, 15), date(2027, 5, 15), date(2027, 11, 15), date(2028, 5, 15)]


def test_the_schedule_is_risk_based() -> None:
    assert profile_key(ltbi=True, high_risk=False) == "ltbi" and dues(date(2026, 3, 31), "ltbi") == []
    assert profile_key(ltbi=False, high_risk=True) == "standard_high_risk"
    assert dues(date(2026, 3, 31), "standard_high_risk")[-1] == date(2029, 3, 31)
    assert len(dues(date(2026, 3, 31), "ltbi_high_risk")) == 4


def test_a_health_center_sets_its_own_intervals() -> None:
    mine = profiles({"standard": {"months": [12, 24]}})["standard"]
    assert [d.due_on for d in schedule(date(2026, 3, 31), mine)] == [date(2027, 3, 31), date(2028, 3, 31)]
    assert "保健所の設定" in mine.basis


class TestProposal:
    """At the end of the period: 登録除外 (経過観察終了) without findings; a relapse suspicion keeps it."""

    END = date(2026, 3, 31)

    def test_nothing_is_proposed_before_the_last_day(self) -> None:
        assert exclusion_proposal(self.END, STANDARD, [NORMAL] * 4, date(2028, 3, 30)) is None

    def test_no_findings_proposes_exclusion_on_the_last_day(self) -> None:
        proposal = exclusion_proposal(self.END, STANDARD, [NORMAL] * 4, date(2028, 3, 31))
        assert proposal is not None and proposal.propose_exclusion and proposal.reason == "followup_ended"

    def test_a_relapse_suspicion_keeps_the_registration(self) -> None:
        proposal = exclusion_proposal(self.END, STANDARD, [NORMAL, RELAPSE, NORMAL, NORMAL], date(2028, 4, 1))
        assert proposal is not None and not proposal.propose_exclusion and proposal.reason == "relapse_suspected"

    def test_an_open_observation_keeps_the_registration(self) -> None:
        proposal = exclusion_proposal(self.END, STANDARD, [NORMAL, OBSERVE], date(2028, 4, 1))
        assert proposal is not None and not proposal.propose_exclusion
