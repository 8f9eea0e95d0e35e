"""Time filters as staff type them: a date means the whole day in Japan time, a time without zone is JST."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel
from tbms_core.clock import JST

Moment = date | datetime


def _at(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=JST)


def period_start(value: Moment | None) -> datetime | None:
    """The first instant a `from` filter includes."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _at(value)
    return datetime.combine(value, time(), JST)


def period_end(value: Moment | None) -> datetime | None:
    """The first instant a `to` filter excludes: the day after a date, the time itself otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _at(value)
    return datetime.combine(value + timedelta(days=1), time(), JST)


class HistoryFilter(BaseModel):
    """What the history lists share: by user, by period, how many; shown in the audit record of the search."""

    user: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100

    def as_query(self) -> str:
        """The criteria as the audit record of this search shows them."""
        fields = self.model_dump(mode="json", exclude_none=True)
        return "&".join(f"{key}={value}" for key, value in fields.items())
