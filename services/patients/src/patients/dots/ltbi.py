"""LTBI regimens (潜在性結核感染症の治療) and their completion judged by the doses taken; pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tbms_core.dates import add_months


@dataclass(frozen=True)
class LtbiRegimen:
    """One LTBI regimen: its length, the daily doses it needs and the longest time allowed to take them."""

    code: str
    label: str
    months: int
    doses: int
    within_months: int
    basis: str = ""  # shown beside the regimen on the pages and F02


# TB_PRACTICE §5.3 (JSTB LTBI 指針 2013; 健感発1018第1号 2021): INH 6 or 9 months, RFP 4 or 6 months, INH+RFP 3–4.
# [U] Doses are 30 a month taken once daily; the allowed time (1.5 times the length, rounded up) follows common
# practice abroad, not a Japanese source. Both are settings of the regimen.
GUIDE = "JSTB 潜在性結核感染症治療指針（2013）"
NO_INH = f"{GUIDE}：INHを使えない場合（不耐・耐性）はRFP 4か月または6か月（§5.3）"
LTBI_REGIMENS = {
    r.code: r
    for r in (
        LtbiRegimen("6H", "INH 6か月", 6, 180, 9, f"{GUIDE}：INH 6か月または9か月（§5.3）"),
        LtbiRegimen("9H", "INH 9か月", 9, 270, 12, f"{GUIDE}：INH 6か月または9か月（§5.3）"),
        LtbiRegimen("4R", "RFP 4か月", 4, 120, 6, NO_INH),
        LtbiRegimen("6R", "RFP 6か月", 6, 180, 9, NO_INH),
        LtbiRegimen("3HR", "INH+RFP 3か月", 3, 90, 5, "結核医療の基準の改正（健感発1018第1号、2021年）で追加（§5.3）"),
        LtbiRegimen("4HR", "INH+RFP 4か月", 4, 120, 6, "結核医療の基準の改正（健感発1018第1号、2021年）で追加（§5.3）"),
    )
}  # fmt: skip
# The care module's regimen codes that name an LTBI regimen.
FROM_TREATMENT = {"6H": "6H", "9H": "9H", "4R": "4R", "6R": "6R", "3-4HR": "4HR"}
LTBI_STATUSES = {"completed": "治療完了", "on_treatment": "治療中", "not_completed": "未完了（服薬数不足）"}


@dataclass(frozen=True)
class LtbiCompletion:
    """Whether an LTBI course is complete, and why in Japanese."""

    status: str
    doses_taken: int
    doses_needed: int
    why: str

    @property
    def label(self) -> str:
        """The status as users read it."""
        return LTBI_STATUSES[self.status]


def ltbi_completion(regimen: LtbiRegimen, started_on: date, doses_taken: int, as_of: date) -> LtbiCompletion:
    """完了 once the doses needed were taken within the allowed time; 未完了 when the time is up without them."""
    deadline = add_months(started_on, regimen.within_months)
    needed = regimen.doses
    if doses_taken >= needed:
        why = f"{regimen.label}の必要服薬数{needed}回に対し{doses_taken}回服薬。"
        return LtbiCompletion("completed", doses_taken, needed, why)
    if as_of >= deadline:
        why = f"{regimen.within_months}か月以内に必要服薬数{needed}回に達しませんでした（{doses_taken}回）。"
        return LtbiCompletion("not_completed", doses_taken, needed, why)
    why = f"必要服薬数{needed}回のうち{doses_taken}回服薬（{regimen.within_months}か月以内に完了）。"
    return LtbiCompletion("on_treatment", doses_taken, needed, why)
