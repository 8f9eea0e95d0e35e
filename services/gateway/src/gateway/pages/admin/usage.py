"""利用統計 (N30): a month's logins, page views per area, downloads, printed forms and frequent search words, and
the twelve months up to it, counted by identity over its whole login and operation history (`GET /usage/monthly`,
`GET /usage/search-words`: identity masks the words that could name a person before they leave it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

TREND_MONTHS = 12  # the months shown up to the chosen one
TOP_WORDS = 10  # the most frequent search words shown
AREAS = {
    "patients": "患者管理",
    "contacts": "接触者管理",
    "reports": "帳票",
    "search": "検索",
    "masters": "マスタ管理",
    "identity": "ユーザ・監査",
    "workflow": "予定・回議",
}


def month_range(month: str, today: date) -> tuple[date, date]:
    """The first and last day of a month typed YYYY-MM (this month when unreadable)."""
    try:
        year, number = (int(part) for part in month.split("-", 1))
        first = date(year, number, 1)
    except ValueError:
        first = today.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)


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


def search_words(words: Iterable[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """identity's masked search words and their counts, most frequent first, as table rows."""
    return [(str(word["word"]), int(word["count"])) for word in words]


def per_area(reads: Mapping[str, int]) -> list[tuple[str, int]]:
    """Page views (reads) per business area, largest first, from identity's counts per service."""
    counts: Counter[str] = Counter()
    for service, n in reads.items():
        counts[AREAS.get(service, service)] += int(n)
    return counts.most_common()


CSV_HEADER = ("月", "ログイン", "ログインした職員", "閲覧（画面）", "帳票の出力", "ダウンロード・CSV出力", "検索")


def csv_rows(rows: Iterable[MonthRow]) -> list[tuple[str, int, int, int, int, int, int]]:
    """The trend table as CSV rows, one per month (月 as YYYY-MM so that Excel sorts it)."""
    return [
        (f"{row.month:%Y-%m}", row.logins, row.users, row.reads, row.prints, row.downloads, row.searches)
        for row in rows
    ]
