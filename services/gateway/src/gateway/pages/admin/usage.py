"""利用統計 (N30): a month's logins, page views per area, downloads, printed forms and frequent search words, and
the twelve months up to it, counted by identity over its whole login and operation history (`GET /usage/monthly`).
Search words come from the month's latest searches (at most LIMIT); those that could name a person are masked."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

LIMIT = 1000  # identity answers at most this many rows a question: the searches the frequent words are taken from
TREND_MONTHS = 12  # the months shown up to the chosen one
AREAS = {
    "patients": "患者管理",
    "contacts": "接触者管理",
    "reports": "帳票",
    "search": "検索",
    "masters": "マスタ管理",
    "identity": "ユーザ・監査",
    "workflow": "予定・回議",
}
# Words kept as typed: era years and years (S45, 1970), and the health center's districts; everything else may
# name a person (a name, カナ, a 登録番号, a phone number) and is shown only by its shape: ○ per character, 9 per digit.
_PLAIN = re.compile(r"^(?:[MTSHR明大昭平令]\d{1,2}|\d{4})$", re.IGNORECASE)


def month_range(month: str, today: date) -> tuple[date, date]:
    """The first and last day of a month typed YYYY-MM (this month when unreadable)."""
    try:
        year, number = (int(part) for part in month.split("-", 1))
        first = date(year, number, 1)
    except ValueError:
        first = today.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


def masked(word: str, keep: Iterable[str] = ()) -> str:
    """A search word as the statistics may show it: districts and era years as typed, else only its shape."""
    if word in set(keep) or _PLAIN.match(word):
        return word
    return "".join("9" if ch.isdigit() else ("-" if ch in "-‐ー－" else "○") for ch in word)


def trend_start(first: date) -> date:
    """The first day of the month TREND_MONTHS - 1 months before the month starting on `first`."""
    index = first.year * 12 + first.month - 1 - (TREND_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MonthRow:
    """One month of the trend table, with its share of the busiest month's page views (for the bar)."""

    month: date
    logins: int
    users: int
    reads: int
    prints: int
    downloads: int  # downloads and CSV exports together
    searches: int
    share: int  # percent of the busiest month's reads


def trend(months: Iterable[Mapping[str, Any]]) -> list[MonthRow]:
    """The months identity counted, oldest first, as table rows."""
    rows = list(months)
    busiest = max((int(m.get("reads", 0)) for m in rows), default=0) or 1
    return [
        MonthRow(
            month=date(int(m["month"][:4]), int(m["month"][5:7]), 1),
            logins=int(m.get("logins", 0)),
            users=int(m.get("users", 0)),
            reads=int(m.get("reads", 0)),
            prints=int(m.get("prints", 0)),
            downloads=int(m.get("downloads", 0)) + int(m.get("exports", 0)),
            searches=int(m.get("searches", 0)),
            share=round(100 * int(m.get("reads", 0)) / busiest),
        )
        for m in rows
    ]


def search_words(events: Iterable[Mapping[str, Any]], districts: Iterable[str], top: int = 10) -> list[tuple[str, int]]:
    """The most frequent search words (masked), most frequent first."""
    words: Counter[str] = Counter()
    keep = list(districts)
    for event in events:
        query = str(event.get("query") or "")
        typed = dict(part.split("=", 1) for part in query.split("&") if "=" in part).get("q", query)
        for word in re.split(r"[\s\u3000]+", typed.strip()):
            if word:
                words[masked(word, keep)] += 1
    return words.most_common(top)


def per_area(reads: Mapping[str, int]) -> list[tuple[str, int]]:
    """Page views (reads) per business area, largest first, from identity's counts per service."""
    counts: Counter[str] = Counter()
    for service, n in reads.items():
        counts[AREAS.get(service, service)] += int(n)
    return counts.most_common()
