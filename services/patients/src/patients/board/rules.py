"""The dates and amounts of the 診査会's cases as pure rules, each with the reason a user reads (TB_PRACTICE §3, §4).

The numbers are configuration with the official default; where the practice notes mark a value unconfirmed
(the 30 days of a TB 20条 period) the basis shown says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tbms_core.dates import add_months
from tbms_core.jp.check_digits import modulus10_check_digit
from tbms_core.jp.wareki import format_wareki


@dataclass(frozen=True)
class BoardRules:
    """The configurable numbers of the rules, with their official defaults."""

    cover_months: int = 6  # 法37条の2: payment stops 6 months after the application (§3.1)
    decision_months: int = 1  # 施行規則20条の3: the 知事 decides within 1 month of receipt (§3.1)
    emergency_hours: int = 72  # 法19条: 応急入院 at most 72 hours (§4)
    admission_days: int = 30  # 法20条 read in for TB by 法26条・政令: 30 days, [U] unconfirmed (§4)
    extension_days: int = 30  # 法20条4項: each extension on the 協議会's opinion, as long again ([U], §4)
    card_notice_days: int = 30  # a continuation filed this many days before the 患者票 expires keeps it unbroken
    copay_threshold_yen: int = 564_000  # 法37条: 市町村民税所得割 of the household per year (§3.1)
    copay_cap_yen: int = 20_000  # 法37条: the patient pays at most this per month above the threshold

    def basis(self) -> dict[str, str]:
        """The legal basis of each number as the screens show it."""
        return {
            "cover_months": f"法37条の2: 申請の受理日から{self.cover_months}か月（遡及なし）",
            "decision_months": f"施行規則20条の3: 受理日から{self.decision_months}か月以内に決定",
            "emergency_hours": f"法19条: 応急入院の勧告は{self.emergency_hours}時間以内",
            "admission_days": (
                f"法20条（法26条による結核の読替え）: 入院勧告は{self.admission_days}日以内"
                "（30日は実務上の値で政令の条文は未確認。設定で変更できます）"
            ),
            "extension_days": f"法20条4項: 延長は協議会の意見を聴いて{self.extension_days}日以内ごと",
            "card_notice_days": f"患者票の有効期間終了の{self.card_notice_days}日前から継続申請を案内",
            "copay": (
                f"法37条2項: 世帯の市町村民税所得割が年{self.copay_threshold_yen:,}円を超えるとき"
                f"月{self.copay_cap_yen:,}円まで自己負担"
            ),
        }


DEFAULT_RULES = BoardRules()


@dataclass(frozen=True)
class Period:
    """A period of cover or of a measure, inclusive of both days, and why it runs so."""

    start: date
    end: date
    why: str


@dataclass(frozen=True)
class Due:
    """A date something is due by, and why."""

    on: date
    why: str

    def days_left(self, today: date) -> int:
        """Days from today to the due date (negative once it is past)."""
        return (self.on - today).days


@dataclass(frozen=True)
class Copay:
    """Whether a 37条 patient pays part of the cost, how much at most a month, and why."""

    applies: bool
    cap_yen: int
    why: str


def months_end(start: date, months: int) -> date:
    """The last day of a cover of `months` from `start` (民法143条: the day before the same day, or the month's
    last day when it has no such day)."""
    corresponding = add_months(start, months)
    if corresponding.day < start.day:  # the month has no such day: the period ends on its last day
        return corresponding
    return corresponding - timedelta(days=1)


def new_cover(received_on: date, rules: BoardRules = DEFAULT_RULES) -> Period:
    """37条の2: cover from the day the application was received, never earlier, for at most the configured months."""
    end = months_end(received_on, rules.cover_months)
    return Period(
        received_on,
        end,
        f"申請の受理日（{format_wareki(received_on)}）から{rules.cover_months}か月（法37条の2、遡及しない）",
    )


def continued_cover(received_on: date, current_end: date | None, rules: BoardRules = DEFAULT_RULES) -> Period:
    """37条の2 continuation: filed before the 患者票 expires, the new cover starts the day after it (no gap);
    filed later, it is a new application from its receipt."""
    if current_end is None or received_on > current_end:
        return new_cover(received_on, rules)
    start = current_end + timedelta(days=1)
    end = months_end(start, rules.cover_months)
    return Period(
        start,
        end,
        f"有効期間（{format_wareki(current_end)}まで）中の継続申請のため翌日から{rules.cover_months}か月（切れ目なし）",
    )


def decision_due(received_on: date, rules: BoardRules = DEFAULT_RULES) -> Due:
    """The day the decision on a 37条の2 application is due: one month after receipt (施行規則20条の3)."""
    return Due(
        add_months(received_on, rules.decision_months),
        f"受理日（{format_wareki(received_on)}）から{rules.decision_months}か月以内に決定（施行規則20条の3）",
    )


def emergency_end(started_at: datetime, rules: BoardRules = DEFAULT_RULES) -> datetime:
    """The moment a 19条 応急入院 ends at the latest: the configured hours (72) after it began."""
    return started_at + timedelta(hours=rules.emergency_hours)


def admission_period(starts_on: date, rules: BoardRules = DEFAULT_RULES) -> Period:
    """A 20条 入院勧告: the configured days (default 30) counting the first day."""
    return Period(
        starts_on,
        starts_on + timedelta(days=rules.admission_days - 1),
        f"法20条の入院勧告: {format_wareki(starts_on)}から{rules.admission_days}日以内（30日は設定値・未確認）",
    )


def extension_period(previous_end: date, rules: BoardRules = DEFAULT_RULES) -> Period:
    """A 20条 extension: from the day after the previous period, the configured days, on the board's opinion."""
    start = previous_end + timedelta(days=1)
    return Period(
        start,
        start + timedelta(days=rules.extension_days - 1),
        f"法20条4項の延長: 前の期間（{format_wareki(previous_end)}まで）の翌日から{rules.extension_days}日以内",
    )


def copay(income_tax_yen: int | None, rules: BoardRules = DEFAULT_RULES) -> Copay:
    """37条: over the threshold the patient pays up to the monthly cap; at or under it, or unknown, nothing."""
    if income_tax_yen is None:
        return Copay(False, 0, "市町村民税所得割額が未入力のため自己負担なしとして扱います（要確認）")
    if income_tax_yen > rules.copay_threshold_yen:
        return Copay(
            True,
            rules.copay_cap_yen,
            f"世帯の市町村民税所得割 {income_tax_yen:,}円 > {rules.copay_threshold_yen:,}円"
            f"（法37条2項）: 月{rules.copay_cap_yen:,}円まで自己負担",
        )
    return Copay(
        False,
        0,
        f"世帯の市町村民税所得割 {income_tax_yen:,}円 ≦ {rules.copay_threshold_yen:,}円（法37条2項）: 自己負担なし",
    )


def recipient_number(serial: int) -> str:
    """The 7-digit 受給者番号 of a serial: 受給者区分 (6 digits) and the MHLW 検証番号."""
    if not 1 <= serial <= 999_999:
        raise ValueError("受給者番号の連番が6桁の範囲を超えました。")
    body = f"{serial:06d}"
    return f"{body}{modulus10_check_digit(body)}"
