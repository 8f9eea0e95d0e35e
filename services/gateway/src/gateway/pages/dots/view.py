"""What the DOTS pages show: the plan in force, adherence in words and figures, the month calendar as rows of
days with what is stored or typed and the message of each day, the day sheet's lines and the cohort list.

Codes are shown with the labels patients' `GET /dots/settings` gives (docs/dots-api.md), so a label changed
there is the one shown here.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from gateway.web.templating import wareki

WEEKDAYS = "月火水木金土日"
NO_STATUS = ""  # 未入力: a day without a confirmation
FILL_STATUS, FILL_METHOD = "taken", "face_to_face"  # 「全日 服用（対面）」
STATUS_LABELS = {"taken": "服用", "missed": "未服用", "unknown": "不明"}  # as the calendar's choices say them
# The method a day-sheet line starts with, from the plan's DOTS type (the nurse changes it when it differs).
USUAL_METHOD = {"hospital": "institution", "outpatient": "face_to_face", "visit": "face_to_face", "contact": "phone"}
MONTH_ERROR = "月は「2026-11」の形で指定してください。"


def parse_month(typed: str, today: date) -> date | None:
    """The first day of the month asked for (`2026-11`), this month when none; None when unreadable."""
    if not typed:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in typed.split("-", 1))
        return date(year, month, 1)
    except ValueError:
        return None


def month_days(first: date) -> list[date]:
    """Every day of the month that starts on `first`."""
    return [first.replace(day=n) for n in range(1, calendar.monthrange(first.year, first.month)[1] + 1)]


def month_label(first: date) -> str:
    """A month in 和暦 with its 西暦 (令和8年11月（2026年11月）)."""
    return f"{wareki(first).removesuffix('1日')}（{first.year}年{first.month}月）"


def shift_month(first: date, months: int) -> date:
    """The first day of the month `months` before or after."""
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def day_label(day: date) -> str:
    """A day as the calendar rows name it: 11月3日（火）."""
    return f"{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


@dataclass
class CalendarDay:
    """One row of the month calendar: what is stored, what is shown in the inputs, and what was wrong."""

    day: date
    stored: Mapping[str, Any] | None
    status: str = NO_STATUS
    method: str = ""
    note: str = ""
    future: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The day's number, as its inputs are named (s3, m3, n3 for the 3rd)."""
        return str(self.day.day)

    @property
    def label(self) -> str:
        """11月3日（火）."""
        return day_label(self.day)

    @property
    def weekend(self) -> bool:
        """Saturday or Sunday (the row says so in words as well)."""
        return self.day.weekday() >= 5

    @property
    def version(self) -> str:
        """The stored confirmation's version (sent to correct it), "" for a new day."""
        return str(self.stored["version"]) if self.stored else ""

    @property
    def changed(self) -> bool:
        """True when the row is to be sent: a new day with a status, or a stored one typed differently."""
        if not self.status:
            return False
        if self.stored is None:
            return True
        return (self.status, self.method, self.note) != (
            self.stored.get("status"),
            self.stored.get("method"),
            self.stored.get("note") or "",
        )

    def item(self) -> dict[str, Any]:
        """The day as a calendar item of the API."""
        body: dict[str, Any] = {"confirmed_on": self.day.isoformat(), "status": self.status, "method": self.method}
        body["note"] = self.note
        if self.stored:
            body["version"] = self.stored["version"]
        return body


def calendar_rows(first: date, stored: Sequence[Mapping[str, Any]], today: date) -> list[CalendarDay]:
    """The month's rows showing what is stored."""
    by_day = {str(c["confirmed_on"]): c for c in stored}
    rows = []
    for day in month_days(first):
        kept = by_day.get(day.isoformat())
        row = CalendarDay(day, kept, future=day > today)
        if kept:
            row.status, row.method, row.note = str(kept["status"]), str(kept["method"]), str(kept.get("note") or "")
        rows.append(row)
    return rows


def typed_rows(rows: list[CalendarDay], posted: Mapping[str, str]) -> None:
    """Puts what the user typed into the rows (a stored day cannot be emptied: its status stays)."""
    for row in rows:
        if row.future:
            continue
        status = str(posted.get(f"s{row.key}") or "")
        row.status = status or (row.status if row.stored else NO_STATUS)
        row.method = str(posted.get(f"m{row.key}") or "")
        row.note = str(posted.get(f"n{row.key}") or "").strip()


def fill_all(rows: list[CalendarDay]) -> int:
    """「全日 服用（対面）」: every day of the month up to today without a status gets 服用・対面; how many did."""
    filled = 0
    for row in rows:
        if not row.future and not row.status:
            row.status, row.method = FILL_STATUS, FILL_METHOD
            filled += 1
    return filled


def place_calendar_errors(
    rows: Sequence[CalendarDay], sent: Sequence[CalendarDay], errors: Mapping[str, str]
) -> list[str]:
    """The API's `items.<n>.<field>` messages beside the day they are about; the others are returned."""
    others = []
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] == "items" and parts[1].isdigit() and int(parts[1]) < len(sent):
            name = parts[2] if len(parts) > 2 else "status"
            name = {"confirmed_on": "status", "version": "status"}.get(name, name)
            sent[int(parts[1])].errors.setdefault(name if name in ("status", "method", "note") else "status", message)
        else:
            others.append(message)
    return others


def calendar_summary(rows: Sequence[CalendarDay], statuses: Mapping[str, str]) -> str:
    """The month in one line: how many days of each status and how many left without one."""
    counted = {code: sum(1 for r in rows if r.stored and r.stored.get("status") == code) for code in statuses}
    parts = [f"{label} {counted[code]}日" for code, label in statuses.items()]
    empty = sum(1 for r in rows if not r.stored and not r.future)
    return "、".join([*parts, f"未入力 {empty}日"])


def plan_in_force(plans: Sequence[Mapping[str, Any]], today: date) -> Mapping[str, Any] | None:
    """The newest plan that has started and not ended today (else the newest one)."""
    for plan in plans:
        starts, ends = str(plan.get("starts_on") or ""), str(plan.get("ends_on") or "")
        if starts <= today.isoformat() and (not ends or ends >= today.isoformat()):
            return plan
    return plans[0] if plans else None


def percent(rate: float | None) -> str:
    """A rate as a percentage with one decimal (－ when there is none)."""
    return "－" if rate is None else f"{rate * 100:.1f}%"


def interruption_view(item: Mapping[str, Any]) -> str:
    """An interruption as a sentence: its days and how many."""
    first, last = date.fromisoformat(str(item["first"])), date.fromisoformat(str(item["last"]))
    days = (last - first).days + 1
    if first == last:
        return f"{wareki(first)}（1日）"
    return f"{wareki(first)}〜{wareki(last)}（{days}日連続）"


def week_rows(weeks: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The treatment weeks, numbered from the start, each with its figures and rate."""
    rows = []
    for n, week in enumerate(weeks, 1):
        planned = int(week.get("planned") or 0)
        taken = int(week.get("taken") or 0)
        rows.append({"n": n, **week, "rate": percent(taken / planned if planned else None)})
    return rows


def next_day(day: date, days: int) -> date:
    """The day `days` later (or earlier)."""
    return day + timedelta(days=days)
