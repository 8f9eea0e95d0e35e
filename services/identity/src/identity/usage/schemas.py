"""What the usage statistics answer."""

from __future__ import annotations

from pydantic import BaseModel


class MonthUsage(BaseModel):
    """One JST month of use, counted over the whole login and operation history (no row limit)."""

    month: str  # YYYY-MM
    logins: int = 0
    users: int = 0  # staff who logged in at least once
    reads: int = 0  # records opened (page views of data)
    prints: int = 0  # printed forms
    downloads: int = 0  # documents downloaded
    exports: int = 0  # CSV and other exports
    searches: int = 0
    areas: dict[str, int] = {}  # reads per service


class UsageReport(BaseModel):
    """Month by month, oldest first, every month of the period present (zero when nothing happened)."""

    months: list[MonthUsage]


class SearchWordCount(BaseModel):
    """One masked search word and how often it was typed in the period."""

    word: str
    count: int


class SearchWordReport(BaseModel):
    """The most frequent search words of a period, most frequent first, counted over every search it holds."""

    searches: int  # searches with typed words in the period
    words: list[SearchWordCount]
