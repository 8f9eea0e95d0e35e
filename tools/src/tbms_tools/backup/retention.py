"""Retention: daily backups for a number of days, the first backup of each month for years (5 by default)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tbms_core.clock import JST

from tbms_tools.backup import manifest


@dataclass(frozen=True)
class Decision:
    """Whether one backup is kept, and why."""

    name: str
    keep: bool
    reason: str


def taken_at(name: str) -> datetime:
    """The moment in a backup's name (tbms-YYYYmmddTHHMMSSZ)."""
    return datetime.strptime(name, "tbms-%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def plan(names: list[str], now: datetime, *, daily_days: int, monthly_years: int) -> list[Decision]:
    """Keeps every backup younger than `daily_days`, the first of each JST month younger than `monthly_years`
    years, and always the newest one; the rest may go."""
    ordered = sorted(names)
    first_of_month: dict[tuple[int, int], str] = {}
    for name in ordered:
        local = taken_at(name).astimezone(JST)
        first_of_month.setdefault((local.year, local.month), name)
    monthly = set(first_of_month.values())
    decisions = []
    for name in ordered:
        age = now - taken_at(name)
        if name == ordered[-1]:
            decisions.append(Decision(name, True, "最新"))
        elif age <= timedelta(days=daily_days):
            decisions.append(Decision(name, True, f"日次（{daily_days} 日以内）"))
        elif name in monthly and age <= timedelta(days=365 * monthly_years + monthly_years // 4 + 1):
            decisions.append(Decision(name, True, f"月次（{monthly_years} 年以内）"))
        else:
            decisions.append(Decision(name, False, "保存期間経過"))
    return decisions


def prune(target: Path, now: datetime, *, daily_days: int, monthly_years: int, dry_run: bool = False) -> list[Decision]:
    """Deletes the backups the policy no longer keeps (and leftovers of interrupted runs older than a day)."""
    decisions = plan(
        [path.name for path in manifest.list_backups(target)], now, daily_days=daily_days, monthly_years=monthly_years
    )
    if dry_run:
        return decisions
    for decision in decisions:
        if not decision.keep:
            shutil.rmtree(target / decision.name)
    for leftover in target.glob(manifest.PARTIAL_PREFIX + "*"):
        if now - datetime.fromtimestamp(leftover.stat().st_mtime, UTC) > timedelta(days=1):
            shutil.rmtree(leftover, ignore_errors=True)
    return decisions
