"""The 接触者健診 rules (TB_PRACTICE §6): exposure class, priority and the screening plan, each with its reason.

Every number and table here is configuration (`ScreeningRules`) with the default named after its source. Facts the
domain notes mark unconfirmed ([U]: the 手引き's own tables were not retrieved) say so in their `basis`, which the
API returns beside the result so the screen can show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from tbms_contracts.code_lists import SEEDED
from tbms_core.dates import add_months, age_on
from tbms_core.jp.wareki import format_wareki

HIGH, LOW, NONE, UNKNOWN = "high", "low", "none", "unknown"  # infectiousness of the index patient
HIGH_RISK, CLOSE, OTHER = "high_risk", "close", "other"  # exposure classes
TOP, PRIORITY, LOW_PRIORITY = "top", "high", "low"  # 最優先 / 優先 / 低優先

CLASS_LABELS = {HIGH_RISK: "ハイリスク接触者", CLOSE: "濃厚接触者", OTHER: "非濃厚接触者"}
PRIORITY_LABELS = {TOP: "最優先", PRIORITY: "優先", LOW_PRIORITY: "低優先"}
PRIORITY_RANK = {TOP: 0, PRIORITY: 1, LOW_PRIORITY: 2}
INFECTIOUSNESS_LABELS = {HIGH: "高感染性", LOW: "低感染性", NONE: "感染性なし", UNKNOWN: "未評価"}

BASIS_CLASS = (
    "【未確認】接触者の区分は「結核の接触者健康診断の手引き」の定義によるが、表は未入手。既定値: "
    "乳幼児・免疫抑制・HIVはハイリスク、同居家族・換気の悪い閉鎖空間・医療機関・一定時間以上の接触は濃厚"
    "（航空機は8時間以上: WHO基準）。"
)
BASIS_PRIORITY = (
    "【未確認】優先度は発端患者の感染性×接触の区分で決まる（手引き）。既定の表: 高感染性ではハイリスク・濃厚が最優先、"
    "その他が優先／低感染性ではハイリスク・濃厚が優先、その他が低優先／感染性なしは低優先。未評価は高感染性として扱う。"
)
BASIS_IGRA = (
    "最終接触から約8週で感染が検出できるため、IGRAは最終接触日から8週以降に行う（東京都多摩府中・多摩小平保健所）。"
)
BASIS_BASELINE = (
    "濃厚に曝露した人・免疫抑制者などは直ちにベースライン検査を行い、陰性なら最終接触から8週後に再検査する。"
)
BASIS_TST = (
    "乳幼児はIGRAの代わりにツベルクリン反応検査を行う。"
    "年齢の境は保健所が定める（多摩府中: 6歳未満、多摩小平: 2歳未満）。"
)
BASIS_XRAY_NOW = "【未確認】有症状またはIGRA陽性の場合は直ちに胸部X線検査を行う（手引きの表は未入手）。"
BASIS_XRAY_FOLLOW = (
    "【未確認】胸部X線は最終接触から6か月後・12か月後、高感染性の発端患者では2年後まで行うのが一般的"
    "（手引きの表は未入手）。"
)
BASIS_SETTING_CLOSE = "この接触の場での接触は、接触時間によらず濃厚接触とする（設定: 濃厚接触とする接触の場）。"
BASIS_SETTING_DEFAULT = (
    "既定の規則: 接触の場だけでは濃厚接触としない。換気の悪い閉鎖空間か、接触時間の合計で判定する"
    "（マスタ管理で追加した接触の場も、設定の「濃厚接触とする接触の場」に加えるまではこの規則）。"
)
# What a screening examination of a kind counts as in the plan: its rule (the plan's igra / tst / xray, or sputum).
EXAM_RULE_LABELS = {
    "igra": "IGRAとして予定に数え、結果は陽性・陰性・判定保留・判定不可から選ぶ",
    "tst": "ツベルクリン反応として予定に数え、結果は陽性・陰性・判定保留から選び、発赤径・硬結径を入力できる",
    "xray": "胸部X線として予定に数え、結果は所見の区分から選ぶ",
    "sputum": "喀痰検査として記録し（予定には数えない）、結果は陰性・陽性・結果待ちから選ぶ",
}
BASIS_EXAM_RULE = "検査の種類のコードごとの規則は設定（検査の種類の規則）による。"
BASIS_EXAM_DEFAULT = (
    "既定の規則: 規則の設定のない検査の種類（マスタ管理で追加したもの）は、記録はできるが健診計画の予定には数えず、"
    "結果は選択肢によらず文字で入力する（20字以内）。IGRA陽性のような判定にも使わない。"
)
EXAM_RULE_DEFAULT = "記録のみ（予定に数えない・結果は自由記載）"


@dataclass(frozen=True)
class ScreeningRules:
    """The numbers and tables of the rules; a health center changes them through the service's settings."""

    igra_weeks: int = 8  # [S] 多摩府中・多摩小平保健所: IGRA ≥8 weeks after the last contact
    tst_age_under: int = 6  # [S] 多摩府中 <6 (多摩小平 <2): TST instead of IGRA below this age
    infant_age_under: int = 6  # [U] 乳幼児 counted as 未就学 (under 6)
    close_contact_hours: float = 8.0  # [S] aircraft ≥8 hours (WHO); used for other settings too [U]
    high_risk_factors: frozenset[str] = frozenset(
        {"infant", "immunosuppressed", "hiv"}
    )  # [U] 手引き: infants, immunosuppressed
    close_settings: frozenset[str] = frozenset({"household", "medical"})  # [S] healthcare may count as 濃厚 when short
    # the rule of each 検査の種類 code of the コード表 (igra, tst, xray, sputum); a code not named has the default
    exam_rules: dict[str, str] = field(
        default_factory=lambda: {
            "igra_qft": "igra",
            "igra_tspot": "igra",
            "tst": "tst",
            "xray": "xray",
            "sputum": "sputum",
        }
    )
    xray_months: tuple[int, ...] = (6, 12)  # [U] 6 and 12 months after the last contact
    xray_months_high: tuple[int, ...] = (6, 12, 18, 24)  # [U] up to 2 years for a highly infectious index
    priority_table: dict[tuple[str, str], str] = field(
        default_factory=lambda: {
            (HIGH, HIGH_RISK): TOP,
            (HIGH, CLOSE): TOP,
            (HIGH, OTHER): PRIORITY,
            (LOW, HIGH_RISK): PRIORITY,
            (LOW, CLOSE): PRIORITY,
            (LOW, OTHER): LOW_PRIORITY,
            (NONE, HIGH_RISK): LOW_PRIORITY,
            (NONE, CLOSE): LOW_PRIORITY,
            (NONE, OTHER): LOW_PRIORITY,
        }
    )  # [U] the 手引き's table was not retrieved


def setting_rule(setting: str, rules: ScreeningRules) -> Judgement:
    """What the rules make of a 接触の場 code, with the basis the screen shows beside it."""
    if setting in rules.close_settings:
        return Judgement("close", "濃厚接触とする", "この接触の場だけで濃厚接触", BASIS_SETTING_CLOSE)
    return Judgement("", "時間・換気で判定（既定）", "接触の場だけでは濃厚接触としない", BASIS_SETTING_DEFAULT)


def exam_rule(kind: str, rules: ScreeningRules) -> Judgement:
    """What the rules make of a 検査の種類 code, with the basis the screen shows beside it."""
    rule = rules.exam_rules.get(kind, "")
    if rule in EXAM_RULE_LABELS:
        return Judgement(rule, EXAM_RULE_LABELS[rule], "", BASIS_EXAM_RULE)
    return Judgement("", EXAM_RULE_DEFAULT, "", BASIS_EXAM_DEFAULT)


def exam_codes(plan_kind: str, rules: ScreeningRules) -> frozenset[str]:
    """The 検査の種類 codes an examination of the plan (igra, tst, xray) is done with."""
    return frozenset(code for code, rule in rules.exam_rules.items() if rule == plan_kind)


@dataclass(frozen=True)
class Person:
    """What the rules need of the contact."""

    birth_date: date | None = None
    risk_factors: frozenset[str] = frozenset()
    symptomatic: bool = False


@dataclass(frozen=True)
class Exposure:
    """What the rules need of one exposure to one index patient."""

    setting: str
    last_contact_on: date | None = None
    hours: float | None = None  # total hours together in the exposure window
    closed_room: bool = False
    poor_ventilation: bool = False
    infectiousness: str = UNKNOWN
    setting_label: str = ""  # the コード表's label of the setting (a code added in マスタ管理 has no built-in one)


@dataclass(frozen=True)
class Judgement:
    """A value the rules suggest, with the reason a user can read and the source it rests on."""

    value: str
    label: str
    why: str
    basis: str


@dataclass(frozen=True)
class Due:
    """One examination the plan calls for: what, on which day, why, and the source of the rule."""

    kind: str  # igra, tst, xray
    step: str  # baseline, after_window, now, month_6 …
    on: date
    why: str
    basis: str


def risk_factors_on(person: Person, day: date, rules: ScreeningRules) -> frozenset[str]:
    """The contact's risk factors, 乳幼児 added when the birth date says so."""
    factors = set(person.risk_factors)
    if person.birth_date and age_on(person.birth_date, day) < rules.infant_age_under:
        factors.add("infant")
    return frozenset(factors)


def exposure_class(person: Person, exposure: Exposure, day: date, rules: ScreeningRules) -> Judgement:
    """ハイリスク / 濃厚 / 非濃厚 for one exposure, with the reason."""
    high_risk = sorted(risk_factors_on(person, day, rules) & rules.high_risk_factors)
    if high_risk:
        names = "・".join(RISK_LABELS.get(f, f) for f in high_risk)
        return Judgement(HIGH_RISK, CLASS_LABELS[HIGH_RISK], f"{names}のため", BASIS_CLASS)
    reason = _close_reason(exposure, rules)
    if reason:
        return Judgement(CLOSE, CLASS_LABELS[CLOSE], reason, BASIS_CLASS)
    return Judgement(OTHER, CLASS_LABELS[OTHER], "ハイリスク・濃厚接触の条件に当たらないため", BASIS_CLASS)


def _close_reason(exposure: Exposure, rules: ScreeningRules) -> str:
    if exposure.setting in rules.close_settings:
        label = exposure.setting_label or SETTING_LABELS.get(exposure.setting, exposure.setting)
        return f"接触の場が{label}のため"
    if exposure.closed_room and exposure.poor_ventilation:
        return "換気の悪い閉鎖空間での接触のため"
    if exposure.hours is not None and exposure.hours >= rules.close_contact_hours:
        return f"接触時間が{exposure.hours:g}時間（{rules.close_contact_hours:g}時間以上）のため"
    return ""


def priority(person: Person, exposure: Exposure, day: date, rules: ScreeningRules) -> Judgement:
    """最優先 / 優先 / 低優先 suggested from the index patient's infectiousness × the exposure class."""
    cls = exposure_class(person, exposure, day, rules)
    infectiousness = exposure.infectiousness if exposure.infectiousness in (HIGH, LOW, NONE) else HIGH
    value = rules.priority_table[(infectiousness, cls.value)]
    shown = INFECTIOUSNESS_LABELS[
        exposure.infectiousness if exposure.infectiousness in INFECTIOUSNESS_LABELS else UNKNOWN
    ]
    if exposure.infectiousness not in (HIGH, LOW, NONE):
        shown += "（高感染性として判定）"
    why = f"発端患者が{shown}、{cls.label}（{cls.why}）"
    return Judgement(value, PRIORITY_LABELS[value], why, BASIS_PRIORITY)


def highest_priority(judgements: Sequence[Judgement]) -> Judgement | None:
    """The most urgent of the priorities suggested for each exposure."""
    return min(judgements, key=lambda j: PRIORITY_RANK[j.value], default=None)


def plan(
    person: Person,
    exposures: Sequence[Exposure],
    rules: ScreeningRules,
    *,
    found_on: date,
    igra_positive_on: date | None = None,
) -> list[Due]:
    """The examinations due for a contact found on `found_on`, dated from the latest last-contact day."""
    dues: list[Due] = []
    if person.symptomatic:
        dues.append(Due("xray", "now", found_on, "症状があるため直ちに", BASIS_XRAY_NOW))
    if igra_positive_on:
        dues.append(
            Due("xray", "now", igra_positive_on, f"IGRA陽性（{_w(igra_positive_on)}）のため直ちに", BASIS_XRAY_NOW)
        )
    last = max((e.last_contact_on for e in exposures if e.last_contact_on), default=None)
    if last is None:
        return dues
    dues += _infection_tests(person, exposures, rules, last=last, found_on=found_on)
    highly = any(e.infectiousness == HIGH for e in exposures)
    months = rules.xray_months_high if highly else rules.xray_months
    for m in months:
        why = f"最終接触日（{_w(last)}）から{m}か月後" + ("（高感染性の発端患者）" if highly else "")
        dues.append(Due("xray", f"month_{m}", add_months(last, m), why, BASIS_XRAY_FOLLOW))
    return sorted(dues, key=lambda d: d.on)


def _infection_tests(
    person: Person, exposures: Sequence[Exposure], rules: ScreeningRules, *, last: date, found_on: date
) -> list[Due]:
    kind, basis = "igra", BASIS_IGRA
    if person.birth_date and age_on(person.birth_date, found_on) < rules.tst_age_under:
        kind, basis = "tst", f"{BASIS_TST}（設定: {rules.tst_age_under}歳未満）"
    window_ends = last + timedelta(weeks=rules.igra_weeks)
    if window_ends <= found_on:
        why = f"最終接触日（{_w(last)}）から{rules.igra_weeks}週を過ぎているため直ちに"
        return [Due(kind, "after_window", found_on, why, basis)]
    why = f"最終接触日（{_w(last)}）から{rules.igra_weeks}週後"
    dues = []
    if _needs_baseline(person, exposures, found_on, rules):
        dues.append(
            Due(kind, "baseline", found_on, "ハイリスクまたは濃厚な曝露のため直ちにベースライン検査", BASIS_BASELINE)
        )
        why += "（ベースラインが陰性なら再検査）"
    dues.append(Due(kind, "after_window", window_ends, why, basis))
    return dues


def _needs_baseline(person: Person, exposures: Sequence[Exposure], day: date, rules: ScreeningRules) -> bool:
    """High-risk contacts, and close contacts of a highly infectious index, are tested at once as well."""
    for exposure in exposures:
        cls = exposure_class(person, exposure, day, rules).value
        if cls == HIGH_RISK or (cls == CLOSE and exposure.infectiousness == HIGH):
            return True
    return False


def _w(day: date) -> str:
    return format_wareki(day)


SETTING_LABELS = dict(SEEDED["contact_setting"])  # when the caller gives no コード表 label
RISK_LABELS = {
    "infant": "乳幼児",
    "immunosuppressed": "免疫抑制",
    "diabetes": "糖尿病",
    "hiv": "HIV感染",
    "danger_group": "デインジャーグループの職業",
}
