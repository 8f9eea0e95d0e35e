"""コホート判定: a treatment course's outcome computed from dated facts, with the rule that decided it.

The definitions are those of 結核医療の基準とその解説 as TB_PRACTICE §5.2 gives them; the surveillance groups
(12か月を超える治療, 判定不能 and its sub-reasons, 脱落's split) are those of the 結核登録者情報システム. Every
function here is pure: the service gathers the facts, these rules judge them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from tbms_core.dates import add_months as _add_months
from tbms_core.jp.wareki import format_wareki

# A cohort list judges thousands of courses that share their start dates: the month boundaries are computed once.
add_months = lru_cache(maxsize=16384)(_add_months)

OUTCOMES = {
    "cured": "治癒",
    "completed": "治療完了",
    "died": "死亡",
    "failed": "治療失敗",
    "lost": "脱落・中断",
    "transferred": "転出",
    "over_12_months": "12か月を超える治療",
    "not_evaluated": "判定不能",
}
SUB_REASONS = {
    # 判定不能 (TB_PRACTICE §5.2: 15 detailed categories)
    "no_start": "治療開始日の記録がない",
    "died_before_treatment": "治療開始前の死亡",
    "unknown_regimen": "初回の処方が不明",
    "nonstandard_regimen": "標準外の処方",
    "hr_stopped": "INH・RFPの早期中止",
    "in_progress": "治療中（開始から12か月以内）",
    # 脱落・中断: 60日以上の連続中断 or 自己判断の早期終了 (§5.2), and the cumulative rule of 結核医療の基準
    "consecutive": "連続した中断",
    "cumulative": "累積した中断",
    "self_stopped": "自己判断による治療終了",
    # 死亡
    "tb": "結核死",
    "other": "結核以外の死亡",
}
END_REASONS = {
    "completed": "予定どおり終了",
    "self_stopped": "本人の判断で終了（自己中断）",
    "hr_stopped": "医師の判断でINH・RFPを中止",
    "other": "その他",
}


@dataclass(frozen=True)
class CohortRules:
    """The numbers of the rules, configurable; defaults and their basis beside each."""

    # 結核医療の基準: the months 6–9 decide cure and failure. Months are ordinal: month 1 is the first month of
    # treatment ([start, start+1 month)), so month 6 starts on the day five calendar months after the start.
    # [U] TB_PRACTICE does not say whether month n is ordinal or elapsed; ordinal matches a 6-month regimen whose
    # end-of-treatment test falls in month 6. Set window_first/window_last to move the window.
    window_first: int = 6
    window_last: int = 9
    # 脱落・中断: 2 months or more of cumulative interruption within the first 9 months (§5.2). [U] "2 months" is
    # counted as 60 days, the same figure as the 60-consecutive-days split of the surveillance categories.
    interruption_days: int = 60
    first_months: int = 9
    consecutive_days: int = 60  # §5.2: 脱落 splits into ≥60 consecutive days vs premature stop
    long_treatment_months: int = 12  # §5.2: 12か月を超える治療 (still on treatment)
    # [U] a smear of ± asks for a re-test (§1.5) and counts as neither; G1 is its old Gaffky equivalent.
    positive_smears: frozenset[str] = frozenset(
        {"1+", "2+", "3+", "G2", "G3", "G4", "G5", "G6", "G7", "G8", "G9", "G10"}
    )
    negative_smears: frozenset[str] = frozenset({"−", "G0"})
    # [U] regimens the standard cohort does not judge: MDR treatment and a regimen described only in a note.
    # 6R (RFP 6 months) is an LTBI regimen when INH cannot be used (TB_PRACTICE §5.3, JSTB LTBI 指針 2013); for
    # active TB it is none of 結核医療の基準's regimens, so an active course on 6R is 判定不能（標準外の処方）.
    nonstandard_regimens: frozenset[str] = frozenset({"other", "MDR", "6R"})


DEFAULT_RULES = CohortRules()


@dataclass(frozen=True)
class SputumResult:
    """A smear or culture of sputum with its collection date; positive None when it has no result yet."""

    collected_on: date
    kind: str  # "smear" | "culture"
    positive: bool | None


@dataclass(frozen=True)
class CohortFacts:
    """What the outcome of one treatment course is judged from."""

    as_of: date
    started_on: date | None
    regimen: str = ""
    ended_on: date | None = None
    end_reason: str = ""  # END_REASONS; empty for a course that ended means it was completed
    died_on: date | None = None
    death_cause: str = ""  # "tb" | "other" | ""
    transferred_out_on: date | None = None
    results: tuple[SputumResult, ...] = ()
    missed_days: frozenset[date] = field(default_factory=frozenset)  # days confirmed as not taken


@dataclass(frozen=True)
class CohortOutcome:
    """The computed outcome and the rule, in Japanese, that decided it."""

    code: str
    sub_reason: str
    rule: str

    @property
    def label(self) -> str:
        """The outcome as users read it."""
        return OUTCOMES[self.code]

    @property
    def sub_label(self) -> str:
        """The sub-reason as users read it (empty when none)."""
        return SUB_REASONS.get(self.sub_reason, "")


def month_of(started_on: date, day: date) -> int:
    """The treatment month a day falls in: 1 from the start until the day before the same day a month on; 0 before."""
    if day < started_on:
        return 0
    months = (day.year - started_on.year) * 12 + day.month - started_on.month
    while months > 0 and add_months(started_on, months) > day:
        months -= 1
    return months + 1


def smear_positive(details: dict[str, object], rules: CohortRules = DEFAULT_RULES) -> bool | None:
    """A smear's grade (or old Gaffky number) as positive, negative, or None when it asks for a re-test."""
    for value in (details.get("grade"), details.get("gaffky")):
        if value in rules.positive_smears:
            return True
        if value in rules.negative_smears:
            return False
    return None


def culture_positive(details: dict[str, object]) -> bool | None:
    """A culture as positive, negative, or None while it grows or when it was contaminated."""
    return {"陽性": True, "陰性": False}.get(str(details.get("result")))


def interruption_runs(missed: Iterable[date]) -> list[tuple[date, date]]:
    """Runs of consecutive calendar days confirmed as not taken, as (first, last) pairs in date order."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(missed)):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def missed_in_first_months(started_on: date, missed: Iterable[date], rules: CohortRules = DEFAULT_RULES) -> int:
    """Days confirmed as not taken within the first months of treatment (9 by default)."""
    limit = add_months(started_on, rules.first_months)
    return sum(1 for day in set(missed) if started_on <= day < limit)


def judge(facts: CohortFacts, rules: CohortRules = DEFAULT_RULES) -> CohortOutcome:
    """The cohort outcome of one course: the first rule that applies, in the order the registry judges them.

    Order [U]: 判定不能 before treatment, 死亡, 治療失敗, 脱落・中断, 転出, then the end of the course. Facts dated
    after a transfer out are not the first health center's and are not looked at.
    """
    start = facts.started_on
    if start is None:
        return _unevaluated("no_start", "治療開始日が記録されていないため判定できません。")
    if facts.died_on and facts.died_on < start:
        return _unevaluated("died_before_treatment", f"治療開始（{_d(start)}）前に死亡（{_d(facts.died_on)}）。")
    if not facts.regimen:
        return _unevaluated("unknown_regimen", "初回の処方（レジメン）が記録されていません。")
    if facts.regimen in rules.nonstandard_regimens:
        return _unevaluated("nonstandard_regimen", f"処方「{facts.regimen}」は標準治療ではありません。")
    cutoff = min(d for d in (facts.transferred_out_on, facts.as_of) if d)
    return (
        _died(facts, start, cutoff)
        or _failed(facts, start, cutoff, rules)
        or _lost(facts, start, cutoff, rules)
        or _transferred(facts)
        or _ended(facts, start, rules)
    )


def _died(facts: CohortFacts, start: date, cutoff: date) -> CohortOutcome | None:
    died = facts.died_on
    if died is None or died > cutoff or (facts.ended_on and died > facts.ended_on):
        return None
    month = month_of(start, died)
    return CohortOutcome("died", facts.death_cause, f"治療中の死亡（{_d(died)}、治療開始から{month}か月目）。")


def _failed(facts: CohortFacts, start: date, cutoff: date, rules: CohortRules) -> CohortOutcome | None:
    for result in sorted(facts.results, key=lambda r: r.collected_on):
        month = month_of(start, result.collected_on)
        if result.positive and rules.window_first <= month <= rules.window_last and result.collected_on <= cutoff:
            what = "培養" if result.kind == "culture" else "塗抹"
            window = f"{rules.window_first}〜{rules.window_last}か月目"
            rule = f"治療開始から{month}か月目（{_d(result.collected_on)}採取）の{what}が陽性（{window}の陽性は失敗）。"
            return CohortOutcome("failed", "", rule)
    return None


def _lost(facts: CohortFacts, start: date, cutoff: date, rules: CohortRules) -> CohortOutcome | None:
    missed = {d for d in facts.missed_days if start <= d <= cutoff}
    for first, last in interruption_runs(missed):
        days = (last - first).days + 1
        if days >= rules.consecutive_days:
            rule = f"{_d(first)}から{_d(last)}まで{days}日連続して服薬していません（{rules.consecutive_days}日以上）。"
            return CohortOutcome("lost", "consecutive", rule)
    cumulative = missed_in_first_months(start, missed, rules)
    if cumulative >= rules.interruption_days:
        rule = (
            f"治療開始から{rules.first_months}か月以内の中断が累計{cumulative}日"
            f"（{rules.interruption_days}日＝2か月以上で脱落・中断）。"
        )
        return CohortOutcome("lost", "cumulative", rule)
    if facts.ended_on and facts.end_reason == "self_stopped" and facts.ended_on <= cutoff:
        return CohortOutcome("lost", "self_stopped", f"本人の判断で治療を終了（{_d(facts.ended_on)}）。")
    return None


def _transferred(facts: CohortFacts) -> CohortOutcome | None:
    moved = facts.transferred_out_on
    if moved is None or moved > facts.as_of or (facts.ended_on and facts.ended_on <= moved):
        return None
    return CohortOutcome("transferred", "", f"治療中に転出（{_d(moved)}）。治療成績は転出先ではなく当所で「転出」。")


def _ended(facts: CohortFacts, start: date, rules: CohortRules) -> CohortOutcome:
    ended = facts.ended_on if facts.ended_on and facts.ended_on <= facts.as_of else None
    if ended is None:
        limit = add_months(start, rules.long_treatment_months)
        if facts.as_of >= limit:
            rule = (
                f"治療開始（{_d(start)}）から{rules.long_treatment_months}か月を超えて治療中（{_d(facts.as_of)}現在）。"
            )
            return CohortOutcome("over_12_months", "", rule)
        return _unevaluated("in_progress", f"治療中のため判定前です（{_d(facts.as_of)}現在）。")
    if facts.end_reason == "hr_stopped":
        return _unevaluated("hr_stopped", f"医師の判断でINH・RFPを早期に中止（{_d(ended)}）。")
    return _cured_or_completed(facts, start, ended, rules)


def _cured_or_completed(facts: CohortFacts, start: date, ended: date, rules: CohortRules) -> CohortOutcome:
    by_day: dict[date, bool] = {}
    for result in facts.results:
        if result.positive is not None and result.collected_on <= facts.as_of:
            by_day[result.collected_on] = by_day.get(result.collected_on, False) or result.positive
    window = f"{rules.window_first}〜{rules.window_last}か月目"
    in_window = [day for day in by_day if rules.window_first <= month_of(start, day) <= rules.window_last]
    before = [day for day in by_day if month_of(start, day) < rules.window_first]
    done = f"治療を終了（{_d(ended)}）"
    if not in_window:
        return CohortOutcome("completed", "", f"{done}。{window}の菌検査がありません。")
    last_before = max(before) if before else None
    last_month = rules.window_first - 1
    if last_before is None:
        rule = f"{done}。{window}の検査{len(in_window)}回は陰性ですが、{last_month}か月目までの検査がありません。"
        return CohortOutcome("completed", "", rule)
    if by_day[last_before]:
        rule = (
            f"{done}。{window}の検査{len(in_window)}回は陰性ですが、{rules.window_first - 1}か月目までの最後の検査"
            f"（{_d(last_before)}）が陽性です。"
        )
        return CohortOutcome("completed", "", rule)
    rule = (
        f"{done}。{rules.window_first - 1}か月目までの最後の検査（{_d(last_before)}）が陰性で、"
        f"{window}の検査{len(in_window)}回がすべて陰性。"
    )
    return CohortOutcome("cured", "", rule)


def _unevaluated(sub_reason: str, rule: str) -> CohortOutcome:
    return CohortOutcome("not_evaluated", sub_reason, rule)


@lru_cache(maxsize=4096)  # a cohort list names the same few hundred dates in thousands of rules
def _d(day: date) -> str:
    return format_wareki(day)
