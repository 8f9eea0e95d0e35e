"""Japan's clock: "today" and "now" as users in Japan live them, settable in tests.

The machine's clock is UTC on most servers, so between 00:00 and 09:00 JST the machine's `date.today()` names yesterday.
Every service takes the date from here instead (DESIGN §4, "Japan's clock").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current time in Japan, timezone-aware."""
    if _source is not None:
        return _source().astimezone(JST)
    return datetime.now(JST)


def today() -> date:
    """Today's date in Japan."""
    return now().date()


def set_clock(moment: datetime | None) -> None:
    """Fixes the clock at an aware moment (which then advances with real time); None restores the real clock."""
    global _source
    if moment is None:
        _source = None
        return
    if moment.tzinfo is None:
        raise ValueError("set_clock needs an aware datetime")
    offset = moment - datetime.now(JST)
    _source = lambda: datetime.now(JST) + offset  # noqa: E731


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Runs a block with the clock set to an aware moment (advancing from there), then restores the real clock."""
    set_clock(moment)
    try:
        yield
    finally:
        set_clock(None)


def jst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware moment in Japan, for tests and fixtures."""
    return datetime(year, month, day, hour, minute, tzinfo=JST)


__all__ = ["JST", "frozen_at", "jst", "now", "set_clock", "today"]
