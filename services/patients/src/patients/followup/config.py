"""The follow-up schedules with their shipped defaults; a health center replaces them in the settings
(`TBMS_PATIENTS_FOLLOWUP_PROFILES`, JSON: {"standard": {"months": [6, 12, 18, 24], "period_months": 24}}).

TB_PRACTICE §7 marks the interval [U] (unconfirmed): the defaults follow conventional practice and §1.2, and every
screen shows the schedule's basis beside its dates.
"""

from __future__ import annotations

from typing import Any

from patients.followup.rules import Profile
from patients.settings import get_settings

DEFAULT_PROFILES = {
    "standard": Profile(
        "standard",
        "治療終了後2年間・6か月ごと",
        (6, 12, 18, 24),
        24,
        "結核回復者は治療終了後2年間登録（健感発0128第1号）。管理検診は6か月ごとが慣行（既定値・保健所の設定で変更可）",
    ),
    "standard_high_risk": Profile(
        "standard_high_risk",
        "再発リスクが高い者・3年間",
        (6, 12, 18, 24, 30, 36),
        36,
        "再発の危険性が著しい者（再発歴・不規則治療・薬剤耐性・糖尿病等）は2年経過後も所長の判断で継続"
        "（健感発0128第1号）。既定は3年間6か月ごと（保健所の設定で変更可）",
    ),
    "ltbi": Profile(
        "ltbi",
        "LTBI・一律の検診なし",
        (),
        24,
        "LTBIは一律の6か月ごとの検診を求めず、有症状時の受診を指導（日本結核病学会予防委員会 2016）",
    ),
    "ltbi_high_risk": Profile(
        "ltbi_high_risk",
        "LTBI（発病リスクが高い者）・2年間6か月ごと",
        (6, 12, 18, 24),
        24,
        "管理検診は発病リスクの高い者に限って行う（日本結核病学会予防委員会 2016）。既定は2年間6か月ごと",
    ),
}
# §1.2: the marked relapse risks that keep a recovered patient registered beyond 2 years.
RISK_FACTORS = {
    "relapse_history": "再発歴",
    "irregular_treatment": "不規則治療",
    "drug_resistance": "薬剤耐性",
    "immunosuppression": "糖尿病・塵肺・透析・ステロイド等の免疫抑制",
    "director": "その他所長が必要と認めた",
}


def profiles(overrides: dict[str, Any] | None = None) -> dict[str, Profile]:
    """The schedules in force: the defaults, with the months and period a health center set replacing them."""
    result = dict(DEFAULT_PROFILES)
    for key, value in (overrides or {}).items():
        base = result.get(key)
        if base is None or not isinstance(value, dict):
            continue
        months = tuple(sorted(int(m) for m in value.get("months", base.months)))
        period = int(value.get("period_months", base.period_months))
        if months == base.months and period == base.period_months and not value.get("basis"):
            continue
        shown = "・".join(map(str, months)) or "なし"
        basis = str(value.get("basis") or f"保健所の設定（{shown}か月、{period}か月間）。既定の根拠：{base.basis}")
        result[key] = Profile(key, str(value.get("label") or base.label), months, period, basis)
    return result


def initial_values() -> dict[str, Any]:
    """What each setting is before an administrator changes it: the environment's value (the deployment's
    `TBMS_PATIENTS_FOLLOWUP_PROFILES` and `TBMS_PATIENTS_INVESTIGATION_EXTRA_ITEMS`), else the shipped default."""
    settings = get_settings()
    table = profiles(settings.followup_profiles)
    return {
        "profiles": {k: {"months": list(p.months), "period_months": p.period_months} for k, p in table.items()},
        "investigation_extra_items": dict(settings.investigation_extra_items),
        "infectious_period": {
            "lookback_months": settings.infectious_lookback_months,
            "smear_negative_months": settings.infectious_smear_negative_months,
        },
    }


def in_force(stored: dict[str, Any]) -> tuple[dict[str, Profile], dict[str, str]]:
    """The schedules and the added 行動調査 items in force: the stored settings, the initial values for the rest."""
    initial = initial_values()
    table = profiles(stored.get("profiles", initial["profiles"]))
    return table, dict(stored.get("investigation_extra_items", initial["investigation_extra_items"]))


def infectious_months(stored: dict[str, Any]) -> dict[str, int]:
    """How many months the infectious period counts back (TB_PRACTICE §8: 3; a smear-negative case fewer, [U] the
    health center's figure): the stored setting, else the initial value."""
    return dict(stored.get("infectious_period", initial_values()["infectious_period"]))
