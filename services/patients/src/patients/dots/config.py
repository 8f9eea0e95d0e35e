"""The health center's DOTS settings with their shipped defaults: the F01 assessment items, the intensities, and
how an assessment suggests a DOTS type. Administrators replace them when the sheet or the practice changes (R33).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GROUPS = {"disease": "疾患の特殊性", "patient": "患者の状態", "social": "社会的背景"}
DOTS_TYPES = {
    "hospital": "院内DOTS",
    "outpatient": "外来DOTS",
    "visit": "訪問DOTS",
    "contact": "連絡確認DOTS",
}
METHODS = {
    "face_to_face": "対面",
    "empty_packet": "空袋確認",
    "phone": "電話",
    "video": "ビデオ",
    "pharmacy": "薬局",
    "institution": "医療機関",
}
STATUSES = {"taken": "服薬", "missed": "未服薬", "unknown": "不明"}
SUPPORTER_KINDS = {"nurse": "保健師", "pharmacy": "薬局", "home_nursing": "訪問看護", "institution": "医療機関"}

# F01: JATA リスク評価（服薬支援を阻害する要因）活用手引き ver1 has 25 items (疾患の特殊性 10, 患者の状態 10,
# 社会的背景 5, TB_PRACTICE §5.1), but the items themselves were not retrieved. This default is PROVISIONAL: the known
# risk factors of §5.1 (side effects, past interruption, understanding, LTBI, homelessness, addiction, care needs)
# grouped the same way, for the health center to replace with its sheet's items. `high` items alone make level A.
DEFAULT_ITEMS: list[dict[str, Any]] = [
    {"key": "retreatment", "group": "disease", "label": "再治療（結核の治療歴がある）", "high": False},
    {"key": "past_interruption", "group": "disease", "label": "過去に治療を中断したことがある", "high": True},
    {"key": "drug_resistance", "group": "disease", "label": "薬剤耐性がある", "high": False},
    {"key": "side_effects", "group": "disease", "label": "副作用がある・出現のおそれが高い", "high": False},
    {"key": "comorbidity", "group": "disease", "label": "合併症（糖尿病・腎不全・HIV等）の治療がある", "high": False},
    {"key": "many_pills", "group": "disease", "label": "服薬する薬剤・錠数が多い", "high": False},
    {"key": "ltbi", "group": "disease", "label": "潜在性結核感染症（自覚症状がない）", "high": False},
    {"key": "understanding", "group": "patient", "label": "病気・副作用・服薬の理解が不十分", "high": False},
    {"key": "elderly_care", "group": "patient", "label": "高齢で介護が必要", "high": False},
    {"key": "cognitive", "group": "patient", "label": "認知機能の低下がある", "high": False},
    {"key": "mental", "group": "patient", "label": "精神疾患がある", "high": False},
    {"key": "addiction", "group": "patient", "label": "アルコール・薬物の依存がある", "high": True},
    {"key": "language", "group": "patient", "label": "日本語での意思疎通が難しい", "high": False},
    {"key": "homeless", "group": "social", "label": "住所不定・ホームレス", "high": True},
    {"key": "alone", "group": "social", "label": "単身で支援者がいない", "high": False},
    {"key": "financial", "group": "social", "label": "経済的な困難がある", "high": False},
    {"key": "irregular_work", "group": "social", "label": "仕事が不規則・多忙", "high": False},
]
# TB_PRACTICE §5.1 [U] (日本版21世紀型DOTS戦略; not found in public sources): A daily in principle, B at least
# once or twice a week, C at least once or twice a month. The interval is the longest gap allowed between contacts.
DEFAULT_INTENSITIES: dict[str, dict[str, Any]] = {
    "A": {"label": "A（中断リスクが高い：原則毎日）", "interval_days": 1},
    "B": {"label": "B（支援が必要：週1〜2回以上）", "interval_days": 7},
    "C": {"label": "C（その他：月1〜2回以上）", "interval_days": 30},
}
# How an assessment suggests the level and the type; [U] the thresholds are the health center's to set.
DEFAULT_LEVELS: dict[str, Any] = {
    "b_from_count": 2,  # two or more items answered yes make level B, any `high` item makes A
    "suggested_types": {"A": "visit", "B": "outpatient", "C": "contact"},
}
# The numbers of the cohort rules (patients/dots/cohort.py, CohortRules: each with its basis there).
DEFAULT_COHORT_RULES: dict[str, int] = {
    "window_first": 6,
    "window_last": 9,
    "interruption_days": 60,
    "first_months": 9,
    "consecutive_days": 60,
    "long_treatment_months": 12,
}
# F02 LTBI治療終了後の管理に関するチェックリスト: the form's own items were not available, so this default is
# PROVISIONAL, built from what TB_PRACTICE §1.2 and §5.3 say of LTBI after treatment (JSTB 予防委員会 2016: 管理検診
# only for people at high risk, the others told to seek care when symptomatic and removed from the register at a
# suitable time within the 2 years; completion judged by the doses of the regimen). Each item shows its basis.
DEFAULT_LTBI_CHECKLIST: list[dict[str, Any]] = [
    {"key": "doses_completed", "label": "処方の必要服薬数を服薬し治療を終えた",
     "basis": "JSTB 潜在性結核感染症治療指針（2013）の処方と期間（§5.3）"},
    {"key": "side_effects_checked", "label": "副作用の有無と経過を確認した", "basis": "保健所の運用（[U]）"},
    {"key": "high_risk", "label": "発病の危険が高い（免疫抑制・透析・糖尿病・塵肺・最近の感染など）",
     "basis": "JSTB予防委員会（2016）：管理検診は発病リスクの高い者に行う（§1.2）"},
    {"key": "followup_planned", "label": "発病リスクが高い場合、管理検診（胸部X線）を計画した",
     "basis": "JSTB予防委員会（2016）（§1.2）"},
    {"key": "symptom_advice", "label": "咳・痰・発熱などが続くときは受診するよう指導した",
     "basis": "JSTB予防委員会（2016）：低リスク者には有症状時の受診を指導（§1.2）"},
    {"key": "exclusion_timing", "label": "登録除外の時期（治療終了後2年以内）を決めた",
     "basis": "JSTB予防委員会（2016）、感染症法53条の12（§1.2）"},
    {"key": "doctor_informed", "label": "主治医と治療終了後の方針を確認した", "basis": "保健所の運用（[U]）"},
]  # fmt: skip
DEFAULTS: dict[str, Any] = {
    "assessment_items": DEFAULT_ITEMS,
    "intensities": DEFAULT_INTENSITIES,
    "levels": DEFAULT_LEVELS,
    "cohort_rules": DEFAULT_COHORT_RULES,
    "ltbi_checklist": DEFAULT_LTBI_CHECKLIST,
}


@dataclass(frozen=True)
class Suggestion:
    """The level an assessment gives and the DOTS type it suggests, with why."""

    level: str
    dots_type: str
    why: str


def suggest(
    items: list[Mapping[str, Any]],
    answers: Mapping[str, Mapping[str, Any]],
    levels: Mapping[str, Any],
    labels: Mapping[str, str] = DOTS_TYPES,
) -> Suggestion:
    """Level A when a high-risk item applies, B from so many items, C otherwise; and the DOTS type for the level."""
    applying = [item for item in items if (answers.get(item["key"]) or {}).get("applies")]
    high = [item["label"] for item in applying if item.get("high")]
    threshold = int(levels.get("b_from_count", 2))
    if high:
        level, why = "A", f"中断リスクの高い項目に該当（{'、'.join(high)}）"
    elif len(applying) >= threshold:
        level, why = "B", f"該当項目が{len(applying)}件（{threshold}件以上）"
    else:
        level, why = "C", f"該当項目が{len(applying)}件"
    dots_type = dict(levels.get("suggested_types") or {}).get(level, "contact")
    return Suggestion(level, dots_type, f"{why}のため支援強度{level}・{labels.get(dots_type, dots_type)}を提案")
