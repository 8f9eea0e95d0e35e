"""終了予定日 proposed from a standard regimen (2HREZ/4HR: 2 months + 4 months) and the start date.

The months are read from the regimen's own notation (the number before each phase's drugs); a regimen without a
fixed length (MDR, その他) gets no proposal. The proposal is only filled in when the user chooses it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from tbms_core.jp.wareki import WarekiError, format_both, format_wareki, parse_date

_PHASE = re.compile(r"^(?:\d+-)?(\d+)[A-Z]+$")


@dataclass(frozen=True)
class PlannedEnd:
    """A proposed 終了予定日 and how it was reached."""

    on: date
    months: int
    regimen: str

    @property
    def typed(self) -> str:
        """The date as the field takes it (short 和暦)."""
        return format_wareki(self.on, "short")

    @property
    def text(self) -> str:
        """The date in 和暦 and 西暦."""
        return format_both(self.on)


def regimen_months(regimen: str) -> int | None:
    """The length of a regimen in months (2HREZ/4HR → 6, 3-4HR → 4), None when it has no fixed length."""
    total = 0
    for phase in regimen.split("/"):
        match = _PHASE.match(phase.strip())
        if not match:
            return None
        total += int(match[1])
    return total or None


def add_months(start: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def propose_planned_end(regimen: str, started_on: str) -> PlannedEnd | None:
    """The day before the same day `months` after the start, or None without a fixed length or a readable start."""
    months = regimen_months(regimen)
    if months is None or not started_on.strip():
        return None
    try:
        start = parse_date(started_on)
    except WarekiError:
        return None
    return PlannedEnd(add_months(start, months) - timedelta(days=1), months, regimen)
