"""How long a registration record is kept after 登録除外, and why (shown with the setting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tbms_core.dates import add_months

# TB_PRACTICE §1.1: 感染症法施行規則27条の8第3項 keeps the 登録票 for 2 years from the day registration was no longer
# needed (the 登録除外日). A health center's own 文書管理規程 may keep it longer: the setting, never shorter.
LEGAL_YEARS = 2
BASIS = (
    "感染症法施行規則第27条の8第3項: 登録の必要がなくなった日（登録除外日）から2年間保存する。"
    "保健所の文書管理規程がより長い期間を定めるときは、その年数を設定します。"
)


@dataclass(frozen=True)
class RetentionRule:
    """Years kept after 登録除外 (the health center's setting, at least the legal two)."""

    years: int = LEGAL_YEARS

    @property
    def basis(self) -> str:
        """The legal basis and, when the setting is longer, that it is the health center's own rule."""
        if self.years == LEGAL_YEARS:
            return BASIS
        return f"{BASIS} この保健所の設定: {self.years}年。"

    def expires_on(self, excluded_on: date) -> date:
        """The first day the record may be deleted: the day after the period (counted from the day after
        登録除外, 民法140条) ends on the anniversary of the 登録除外日."""
        return add_months(excluded_on, 12 * self.years) + timedelta(days=1)

    def is_due(self, excluded_on: date, today: date) -> bool:
        """Whether the record may be deleted today."""
        return self.expires_on(excluded_on) <= today

    def candidates_before(self, today: date) -> date:
        """Every due record was excluded on or before this day (a few days' slack for month ends)."""
        return add_months(today, -12 * self.years) + timedelta(days=3)
