"""利用統計 (N30): a month's logins, page views per area, downloads, printed forms and frequent search words,
counted from identity's login and operation history. Search words that could name a person are masked."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

LIMIT = 1000  # identity answers at most this many rows a question; a count at the limit reads 「1,000件以上」
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


@dataclass(frozen=True)
class Count:
    """A number of rows, or the limit reached."""

    value: int

    def __str__(self) -> str:
        return f"{LIMIT:,}件以上" if self.value >= LIMIT else f"{self.value:,}件"


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


def per_area(events: Iterable[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """Page views (reads) per business area, largest first."""
    counts = Counter(AREAS.get(str(e.get("service")), str(e.get("service"))) for e in events)
    return counts.most_common()
