"""行動調査 / 積極的疫学調査 (R08): the infectious period and the delays, computed from the interview.

Pure date rules on calendar months (tbms_core.dates.add_months; 民法143条: a month without the day ends on its last
day), as TB_PRACTICE §8 states them ([U]: the 接触者健診の手引き's wording, the health center's own figures are
configuration):
- start: 3 months before the onset of cough; when the onset is unclear or the case was found by screening, 3 months
  before the first positive finding or, without one, the diagnosis; a smear-negative case counts back fewer months
  (the health center's setting);
- end: effective treatment or isolation (admission), whichever came first; taken from the patient's treatment and
  hospital records when they hold one on or after the start, else from the dates entered in the interview; open
  while neither is known;
- 受診の遅れ: the first visit 2 months or more after the onset; 診断の遅れ: the diagnosis 1 month or more after the
  first visit. "2 months or more" means on or after the same day 2 months later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tbms_core.dates import add_months
from tbms_core.jp.wareki import format_wareki

LOOKBACK_MONTHS = 3
SMEAR_NEGATIVE_MONTHS = 1  # [U] the health center's setting; no national figure was found
PATIENT_DELAY_MONTHS = 2
DOCTOR_DELAY_MONTHS = 1
COUGH = "cough"


@dataclass(frozen=True)
class Period:
    """The infectious period, the case of the rule that produced its start, and the rule in words."""

    start: date | None
    end: date | None
    case: str  # "cough_onset", "onset_unclear", "screening", "override" or "unknown"
    rule: str
    end_rule: str
    overridden: bool = False
    override_reason: str = ""


@dataclass(frozen=True)
class Delay:
    """One delay: from when to when, whether it counts as a delay, and the rule."""

    kind: str
    since: date | None
    until: date | None
    threshold: date | None
    delayed: bool | None
    rule: str


def _w(day: date) -> str:
    return format_wareki(day)


def infectious_period(
    *,
    cough_onset: date | None,
    found_by_screening: bool,
    first_positive_on: date | None,
    diagnosed_on: date | None,
    smear_negative: bool,
    treatment_started_on: date | None,
    isolated_on: date | None,
    lookback_months: int = LOOKBACK_MONTHS,
    smear_negative_months: int = SMEAR_NEGATIVE_MONTHS,
    override_start: date | None = None,
    override_end: date | None = None,
    override_reason: str = "",
    recorded_ends: Sequence[tuple[date, str]] = (),
) -> Period:
    """The computed period, or the one staff set with their reason (the computed rule stays shown beside it).
    `recorded_ends` are the starts of treatment and the admissions in the patient's records, each with its label."""
    months = smear_negative_months if smear_negative else lookback_months
    kind = f"塗抹陰性のため{months}か月前（保健所の設定）" if smear_negative else f"{months}か月前"
    start: date | None
    if cough_onset and not found_by_screening:
        start, case = add_months(cough_onset, -months), "cough_onset"
        rule = f"咳の出現（{_w(cough_onset)}）の{kind}"
    else:
        anchor = first_positive_on or diagnosed_on
        what = "最初の陽性所見" if first_positive_on else "診断"
        case = "screening" if found_by_screening else "onset_unclear"
        why = "健診で発見" if found_by_screening else "咳の出現時期が不明"
        if anchor is None:
            start, rule = None, f"{why}。最初の陽性所見の日または診断日を入力すると起点が決まります"
        else:
            start, rule = add_months(anchor, -months), f"{why}のため{what}（{_w(anchor)}）の{kind}"
    recorded = [(d, label) for d, label in recorded_ends if start is None or d >= start]
    typed = ((treatment_started_on, "有効な治療の開始"), (isolated_on, "隔離・入院"))
    entered = [(d, label) for d, label in typed if d]
    if recorded:
        end, label = min(recorded)
        end_rule = f"{label}（{_w(end)}）まで（治療・入院の記録から。調査票の入力より優先）"
    elif entered:
        end, label = min(entered)
        end_rule = f"{label}（{_w(end)}）まで（調査票に入力された日。治療・入院の記録はありません）"
    else:
        end, end_rule = None, "有効な治療の開始・隔離の日が未入力のため終了は未確定"
    if override_start or override_end:
        return Period(
            override_start or start,
            override_end or end,
            "override" if override_start else case,
            rule,
            end_rule,
            overridden=True,
            override_reason=override_reason,
        )
    return Period(start, end, case if start else "unknown", rule, end_rule)


def patient_delay(onset: date | None, first_visit: date | None, months: int = PATIENT_DELAY_MONTHS) -> Delay:
    """受診の遅れ: the first visit on or after the same day `months` calendar months after the onset."""
    rule = f"発病（最初の症状）から初診まで{months}か月以上（{months}か月後の応当日以降、応当日がない月は月末）"
    return _delay("patient", onset, first_visit, months, rule)


def doctor_delay(first_visit: date | None, diagnosed_on: date | None, months: int = DOCTOR_DELAY_MONTHS) -> Delay:
    """診断の遅れ: the diagnosis on or after the same day `months` calendar months after the first visit."""
    rule = f"初診から診断まで{months}か月以上（{months}か月後の応当日以降、応当日がない月は月末）"
    return _delay("doctor", first_visit, diagnosed_on, months, rule)


def _delay(kind: str, since: date | None, until: date | None, months: int, rule: str) -> Delay:
    if since is None:
        return Delay(kind, since, until, None, None, rule)
    threshold = add_months(since, months)
    return Delay(kind, since, until, threshold, None if until is None else until >= threshold, rule)


def overlap(
    period_start: date | None, period_end: date | None, start: date | None, end: date | None
) -> tuple[date | None, date | None] | None:
    """The part of an exposure (start..end, open ends allowed) inside the infectious period; None when disjoint."""
    first = max((d for d in (period_start, start) if d), default=None)
    last = min((d for d in (period_end, end) if d), default=None)
    if first and last and last < first:
        return None
    return first, last
