"""和暦 dates: read what staff type (S45.3.1, 昭和45年3月1日, 2019-05-01) and print what forms show.

Era boundaries (first and last days inclusive):

| era  | first day  | last day   |
|------|------------|------------|
| 明治 | 1868-10-23 | 1912-07-30 |
| 大正 | 1912-07-30 | 1926-12-25 |
| 昭和 | 1926-12-25 | 1989-01-07 |
| 平成 | 1989-01-08 | 2019-04-30 |
| 令和 | 2019-05-01 | —          |

- 即日改元: 1912-07-30 and 1926-12-25 belong to two eras. Both spellings parse (明治45年7月30日 and
  大正元年7月30日 are the same day); formatting always uses the new era (大正元年7月30日), as the
  改元 took effect on that day.
- 明治's first day is 1868-10-23, the Gregorian date of the 改元の詔 (慶応4年9月8日), although the era
  was applied retroactively from 慶応4年1月1日. Japan used the lunisolar calendar until 明治5年12月2日;
  the next day became 明治6年1月1日 = 1873-01-01 (明治5年太政官布告第337号). A 明治1–5 month and day is
  therefore a lunisolar date, not a Gregorian one: such dates are refused when parsed and printed in
  西暦 when formatted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tbms_core.jp.text import normalize_input

__all__ = [
    "Era",
    "WarekiError",
    "era_of",
    "format_both",
    "format_wareki",
    "looks_like_era_year",
    "parse_date",
    "parse_year",
]


class WarekiError(ValueError):
    """A date or year the user typed that cannot be read; the message says why, in Japanese."""


@dataclass(frozen=True)
class Era:
    """The era a date falls in, with the date's year number in it (1970-03-01 → 昭和, 45)."""

    name: str
    letter: str
    first_day: date
    last_day: date | None
    year: int


@dataclass(frozen=True)
class _EraSpan:
    name: str
    letter: str
    first_day: date
    last_day: date | None  # None: the current era

    def year_number(self, day: date) -> int:
        return day.year - self.first_day.year + 1


_ERAS: tuple[_EraSpan, ...] = (
    _EraSpan("明治", "M", date(1868, 10, 23), date(1912, 7, 30)),
    _EraSpan("大正", "T", date(1912, 7, 30), date(1926, 12, 25)),
    _EraSpan("昭和", "S", date(1926, 12, 25), date(1989, 1, 7)),
    _EraSpan("平成", "H", date(1989, 1, 8), date(2019, 4, 30)),
    _EraSpan("令和", "R", date(2019, 5, 1), None),
)
_ERA_BY_TOKEN: dict[str, _EraSpan] = (
    {e.name: e for e in _ERAS} | {e.letter: e for e in _ERAS} | {e.name[0]: e for e in _ERAS}  # 昭45.3.1
)
# The era digits of 住基-style compact dates: 3450301 = 昭和45年3月1日.
_ERA_BY_DIGIT: dict[str, _EraSpan] = {str(number): era for number, era in enumerate(_ERAS, 1)}
_MEIJI = _ERAS[0]
_FIRST_GREGORIAN_DAY = date(1873, 1, 1)
_FIRST_GREGORIAN_MEIJI_YEAR = 6

_FORMAT_MESSAGE = "日付の形式が正しくありません。例: S45.3.1、昭和45年3月1日、1970-03-01"
_YEAR_FORMAT_MESSAGE = "年の形式が正しくありません。例: S45、昭和45年、R1、令和元年、1970"
_LUNISOLAR_MESSAGE = "明治5年以前は西暦で入力してください（明治5年までは旧暦のため、和暦から換算できません）。"

_ERA = "(?P<era>明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr])"
_ERA_YEAR = "(?P<year>[0-9]{1,2}|元)"
# IMEs in Japanese mode turn "." into 。 and "-" into ー or a dash; all of them separate here.
_SEP = "[./\\-．／－。ー‐−–]"
_MONTH_DAY = rf"\s*(?:年|{_SEP})\s*(?P<month>[0-9]{{1,2}})\s*(?:月|{_SEP})\s*(?P<day>[0-9]{{1,2}})\s*日?"
_ERA_DATE = re.compile(rf"{_ERA}\s*{_ERA_YEAR}{_MONTH_DAY}")
_GREGORIAN_DATE = re.compile(rf"(?P<year>[0-9]{{4}}){_MONTH_DAY}")
_COMPACT_DATE = re.compile("(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")
_ERA_COMPACT_DATE = re.compile(rf"{_ERA}\s*(?P<year>[0-9]{{2}})(?P<month>[0-9]{{2}})(?P<day>[0-9]{{2}})")
_DIGIT_ERA_DATE = re.compile("(?P<era>[1-5])(?P<year>[0-9]{2})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")
_BARE_SIX_DIGITS = re.compile("[0-9]{6}")
_NO_ERA_MESSAGE = (
    "元号が分かりません。S450301、昭450301 のように元号を付けるか、"
    "3450301（1明治 2大正 3昭和 4平成 5令和）と入力してください。"
)
_ERA_YEAR_ONLY = re.compile(rf"{_ERA}\s*{_ERA_YEAR}\s*年?")
_GREGORIAN_YEAR = re.compile(r"(?P<year>[0-9]{4})\s*年?")


def parse_date(text: str) -> date:
    """Reads a date typed in 和暦 (S45.3.1, 昭45.3.1, 昭和45年3月1日, 令和元年5月1日, compact S450301 or 3450301)
    or 西暦 (2019-05-01, 20190501). Six digits alone (450301) are refused: the era cannot be known."""
    value = normalize_input(text)
    if not value:
        raise WarekiError("日付を入力してください。")
    if match := _ERA_DATE.fullmatch(value) or _ERA_COMPACT_DATE.fullmatch(value):
        era = _era_for(match["era"])
        return _era_date(era, _year_number(match["year"]), int(match["month"]), int(match["day"]))
    if match := _DIGIT_ERA_DATE.fullmatch(value):
        era = _ERA_BY_DIGIT[match["era"]]
        return _era_date(era, int(match["year"]), int(match["month"]), int(match["day"]))
    if _BARE_SIX_DIGITS.fullmatch(value):
        raise WarekiError(_NO_ERA_MESSAGE)
    if match := _GREGORIAN_DATE.fullmatch(value) or _COMPACT_DATE.fullmatch(value):
        year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
        return _calendar_date(year, month, day, label=f"{year}年{month}月{day}日")
    raise WarekiError(_FORMAT_MESSAGE)


def parse_year(text: str) -> int:
    """Reads a year typed as S45, 昭和45年, R1, 令和元年 or 1970 and returns the 西暦 year."""
    value = normalize_input(text)
    if not value:
        raise WarekiError("年を入力してください。")
    if match := _ERA_YEAR_ONLY.fullmatch(value):
        era, year = _era_for(match["era"]), _year_number(match["year"])
        _check_era_year(era, year)
        return era.first_day.year + year - 1
    if match := _GREGORIAN_YEAR.fullmatch(value):
        return int(match["year"])
    raise WarekiError(_YEAR_FORMAT_MESSAGE)


def looks_like_era_year(token: str) -> bool:
    """Tells whether a search word is written as a 和暦 year (s45, 昭和45年, R元), valid or not."""
    return _ERA_YEAR_ONLY.fullmatch(normalize_input(token)) is not None


def era_of(d: date) -> Era:
    """Gives the era a date falls in and its year number; on 即日改元 days the new era."""
    if d < _FIRST_GREGORIAN_DAY:
        raise WarekiError(f"{d.year}年{d.month}月{d.day}日は明治5年以前のため和暦に換算できません。")
    span = next(era for era in reversed(_ERAS) if era.first_day <= d)
    return Era(span.name, span.letter, span.first_day, span.last_day, span.year_number(d))


def format_wareki(d: date, style: Literal["long", "short"] = "long") -> str:
    """Prints a date as forms show it: 昭和45年3月1日 (long) or S45.3.1 (short); 元年 for year 1.

    Dates before 1873-01-01 (明治5年以前, lunisolar) are printed in 西暦: 1870年5月1日 or 1870.5.1.
    """
    if style not in ("long", "short"):
        raise ValueError(f"unknown wareki style: {style!r}")
    if d < _FIRST_GREGORIAN_DAY:
        return _seireki_long(d) if style == "long" else f"{d.year}.{d.month}.{d.day}"
    era = era_of(d)
    if style == "short":
        return f"{era.letter}{era.year}.{d.month}.{d.day}"
    return f"{era.name}{_year_label(era.year)}年{d.month}月{d.day}日"


def format_both(d: date) -> str:
    """Prints a date in 和暦 with 西暦 in brackets: 昭和45年3月1日（1970年3月1日）; 西暦 alone before 1873."""
    if d < _FIRST_GREGORIAN_DAY:
        return _seireki_long(d)
    return f"{format_wareki(d)}（{_seireki_long(d)}）"


def _seireki_long(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _year_label(year: int) -> str:
    return "元" if year == 1 else str(year)


def _era_label(era: _EraSpan, d: date) -> str:
    """Names a day inside an era by that era, even on a 即日改元 day that formats as the next era."""
    return f"{_year_label(era.year_number(d))}年{d.month}月{d.day}日"


def _era_for(token: str) -> _EraSpan:
    return _ERA_BY_TOKEN[token.upper()]


def _year_number(written: str) -> int:
    return 1 if written == "元" else int(written)


def _check_era_year(era: _EraSpan, year: int) -> None:
    """Refuses a year the era never had (平成32年, 昭和0年) and the lunisolar 明治1–5."""
    if year < 1:
        raise WarekiError(f"「{era.name}{year}年」は存在しません（{era.name}は元年からです）。")
    if era is _MEIJI and year < _FIRST_GREGORIAN_MEIJI_YEAR:
        raise WarekiError(_LUNISOLAR_MESSAGE)
    if era.last_day is not None and year > era.year_number(era.last_day):
        raise WarekiError(f"「{era.name}{year}年」は存在しません（{era.name}は{_era_label(era, era.last_day)}まで）。")


def _era_date(era: _EraSpan, year: int, month: int, day: int) -> date:
    """Turns an era date into a 西暦 date, refusing days outside the era (H31.5.1, R1.4.30)."""
    _check_era_year(era, year)
    label = f"{era.name}{_year_label(year)}年{month}月{day}日"
    result = _calendar_date(era.first_day.year + year - 1, month, day, label=label)
    if result < era.first_day:
        raise WarekiError(f"「{label}」は存在しません（{era.name}は{_era_label(era, era.first_day)}から）。")
    if era.last_day is not None and result > era.last_day:
        raise WarekiError(f"「{label}」は存在しません（{era.name}は{_era_label(era, era.last_day)}まで）。")
    return result


def _calendar_date(year: int, month: int, day: int, *, label: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise WarekiError(f"「{label}」は存在しない日付です。") from None
