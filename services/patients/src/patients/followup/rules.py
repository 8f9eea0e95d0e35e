"""管理検診 (R06): the schedule of follow-up examinations after treatment ends, and when to propose 登録除外.

Pure date rules on calendar months (tbms_core.dates.add_months: the same day so many months later, the month's
last day when it has no such day, as 民法143条 counts a period). The intervals are configuration (followup/config.py)
with the defaults of TB_PRACTICE §7 and §1.2: every 6 months for 2 years after the end of treatment; for LTBI no
uniform exams (JSTB 2016) unless at higher risk; for people at marked relapse risk the 所長 keeps them longer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tbms_core.dates import add_months
from tbms_core.jp.wareki import format_wareki

NORMAL, OBSERVE, RELAPSE = "normal", "observe", "relapse_suspected"
JUDGEMENTS = {NORMAL: "異常なし", OBSERVE: "要観察", RELAPSE: "再発疑い（要精査）"}


@dataclass(frozen=True)
class Profile:
    """One schedule: the months after the end of treatment each exam falls due, and how long follow-up lasts."""

    key: str
    label: str
    months: tuple[int, ...]
    period_months: int
    basis: str


@dataclass(frozen=True)
class Due:
    """One scheduled examination: its number, due date and why it falls on that date."""

    seq: int
    due_on: date
    months: int
    reason: str


def profile_key(*, ltbi: bool, high_risk: bool) -> str:
    """Which schedule applies: LTBI or not, at higher relapse risk or not."""
    return ("ltbi" if ltbi else "standard") + ("_high_risk" if high_risk else "")


def schedule(ended_on: date, profile: Profile) -> list[Due]:
    """The examinations due after a treatment that ended on `ended_on`, each with the rule that set its date."""
    end = format_wareki(ended_on)
    return [
        Due(
            seq=n,
            due_on=add_months(ended_on, months),
            months=months,
            reason=f"治療終了日（{end}）から{months}か月（{profile.label}）",
        )
        for n, months in enumerate(profile.months, start=1)
    ]


def period_end(ended_on: date, profile: Profile) -> date:
    """The last day of follow-up: so many months after the end of treatment."""
    return add_months(ended_on, profile.period_months)


@dataclass(frozen=True)
class Proposal:
    """What the system proposes at the end of follow-up, and why; the nurse confirms or not."""

    propose_exclusion: bool
    reason: str
    message: str


def exclusion_proposal(
    ended_on: date | None, profile: Profile, judgements: Iterable[str], today: date
) -> Proposal | None:
    """At the end of the period: 登録除外 (経過観察終了) for a person with no findings; a relapse suspicion (or an
    open 要観察 as the last judgement) keeps the registration. None while the period runs or with no end date."""
    if ended_on is None:
        return None
    last_day = period_end(ended_on, profile)
    if today < last_day:
        return None
    judged = [j for j in judgements if j]
    if RELAPSE in judged:
        return Proposal(False, "relapse_suspected", "再発疑いの判定があるため登録を継続します（要精査の結果を確認）。")
    if judged and judged[-1] == OBSERVE:
        return Proposal(False, "observe", "最後の判定が要観察のため登録を継続します。所長の判断を確認してください。")
    return Proposal(
        True,
        "followup_ended",
        f"経過観察期間（{format_wareki(last_day)}まで）が終わり、所見がありません。"
        "登録除外（経過観察終了）を確認してください。",
    )


def exam_status(
    *,
    cancelled: bool,
    due_on: date,
    examined_on: date | None,
    judgement: str,
    appointment_on: date | None,
    today: date,
) -> str:
    """Where one examination stands: cancelled, done, result_missing, not_attended, overdue or scheduled."""
    if cancelled:
        return "cancelled"
    if examined_on:
        return "done" if judgement else "result_missing"
    if judgement:
        return "done"
    if appointment_on and appointment_on < today:
        return "not_attended"
    return "overdue" if due_on < today else "scheduled"


STATUSES = {
    "cancelled": "取消（計画変更）",
    "done": "実施済",
    "result_missing": "結果未入力",
    "not_attended": "未受診",
    "overdue": "期限超過",
    "scheduled": "予定",
}
