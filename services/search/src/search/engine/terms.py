"""How typed words and records become comparable: folded keys, birth-date tokens and query terms (N11).

A registered 外字 folds as its substitute (N26): masters' 外字 master is data, so the process's copy of it is handed
in with `fold_gaiji` (search.gaiji does, at start and on every change) and applies to documents built and queries
parsed from then on; documents indexed before a change keep their keys until `tbms search reindex`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from tbms_core.clock import today
from tbms_core.jp.text import digits_only, normalize_input, search_key
from tbms_core.jp.wareki import WarekiError, era_of, looks_like_era_year, parse_date, parse_year

from search.engine.base import SearchDocument

FIRST_BIRTH_YEAR = 1868  # a 4-digit word before 明治 is a number fragment, not a year
_YEAR = re.compile("([0-9]{4})年?")
_HYPHEN_BETWEEN_DIGITS = re.compile("(?<=[0-9])-(?=[0-9])")
_DIGITS = re.compile("[0-9]+")
_LATIN_WORD = re.compile("[a-z]{4,}")  # romanised names and addresses; shorter words are too ambiguous to forgive

SEPARATOR = "\n"  # ends every field, so no query word spans two of them and every character has a successor
KEY_START = "\x02"  # starts every whole-field key: the index then finds exact and prefix matches of keys too


@dataclass
class _Gaiji:
    """The registered 外字 as a translation table, replaced whole so a rebuild's threads never see half of one."""

    table: dict[int, str] = field(default_factory=dict)


_GAIJI = _Gaiji()


def fold_gaiji(substitutes: Mapping[str, str]) -> None:
    """Folds each registered 外字 as its substitute from now on ({外字: 代替文字}, e.g. {"𠮷": "吉"})."""
    _GAIJI.table = str.maketrans(dict(substitutes)) if substitutes else {}


@dataclass(frozen=True)
class QueryTerms:
    """A query split into what must all match: folded words, birth years and birth dates."""

    words: list[str] = field(default_factory=list)
    birth_years: list[int] = field(default_factory=list)
    birth_dates: list[date] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing searchable is left after folding."""
        return not (self.words or self.birth_years or self.birth_dates)

    @property
    def joined(self) -> str:
        """The words as one key, to tell an exact or prefix match of a whole field."""
        return "".join(self.words)


def parse_query(text: str) -> QueryTerms:
    """Splits a query on spaces and reads each word as a 和暦/西暦 year, a full date or folded text."""
    terms = QueryTerms()
    for token in normalize_input(text).split():
        if (year := _birth_year(token)) is not None:
            terms.birth_years.append(year)
        elif (day := _birth_date(token)) is not None:
            terms.birth_dates.append(day)
        elif word := fold(token):
            terms.words.append(word)
    return terms


def fold(text: str) -> str:
    """The search key of a text, with hyphens between digits dropped (03-1234-5678, 154-0017, 1-2-3) and each
    registered 外字 as its substitute (before the rest of the folding, which the substitute then goes through)."""
    if table := _GAIJI.table:
        text = text.translate(table)
    return _HYPHEN_BETWEEN_DIGITS.sub("", search_key(text))


def _birth_year(token: str) -> int | None:
    if looks_like_era_year(token):
        try:
            return parse_year(token)
        except WarekiError:
            return None
    if (match := _YEAR.fullmatch(token)) and FIRST_BIRTH_YEAR <= int(match[1]) <= today().year:
        return int(match[1])
    return None


def _birth_date(token: str) -> date | None:
    if _DIGITS.fullmatch(token):
        return None  # 8 digits may be part of a phone number: matched as text (the index holds 19700301)
    try:
        return parse_date(token)
    except WarekiError:
        return None


def birth_tokens(birth_date: date | None) -> list[str]:
    """What a birth date can be found by: 1970, 19700301, s45, 昭和45, s45.3.1 (folded)."""
    return [] if birth_date is None else list(_birth_tokens(birth_date))


@lru_cache(maxsize=65536)  # a rebuild meets the same few tens of thousands of birth dates again and again
def _birth_tokens(birth_date: date) -> tuple[str, ...]:
    tokens = [str(birth_date.year), birth_date.strftime("%Y%m%d")]
    try:
        era = era_of(birth_date)
    except WarekiError:
        return tuple(tokens)
    years = [str(era.year)] + (["元"] if era.year == 1 else [])
    for year in years:
        tokens += [f"{era.letter}{year}", f"{era.name}{year}"]
    tokens.append(f"{era.letter}{era.year}.{birth_date.month}.{birth_date.day}")
    return tuple(fold(token) for token in tokens)


def exact_keys(document: SearchDocument) -> list[str]:
    """Whole-field keys: a query equal to one is an exact match, one starting it a prefix match."""
    keys = [fold(document.name), fold(document.name_kana), fold(document.registration_no)]
    keys.append(digits_only(document.phone))
    keys += [digits_only(number) or fold(number) for number in document.numbers]
    return [key for key in keys if key]


def index_text(document: SearchDocument) -> str:
    """Every folded key of a document in one text: what an itemless search looks through.

    Whole-field keys (name, カナ, numbers) start with KEY_START and every field ends with SEPARATOR, so
    "\x02たなか" is a prefix match of a key and "\x02たなかたろう\n" an exact one, found like any substring.
    """
    keys = [KEY_START + key for key in exact_keys(document)]
    others = [
        digits_only(document.postal_code),
        *(fold(number) for number in document.index_numbers),  # a contact is found by its index patient's number
        fold(document.address),
        *(fold(text) for text in (*document.texts, document.dots_type_label)),
        *birth_tokens(document.birth_date),
    ]
    return "".join(part + SEPARATOR for part in dict.fromkeys([*keys, *others]) if part)


def bigrams(text: str) -> str:
    """Every two-character window of an index text, space-separated: what words of one or two characters need."""
    return " ".join(dict.fromkeys(text[start : start + 2] for start in range(len(text) - 1)))


def latin_words(text: str) -> list[str]:
    """The latin words of a folded text that a one-letter typo may still find (tanaka, setagaya)."""
    return list(dict.fromkeys(_LATIN_WORD.findall(text)))


def is_latin_word(word: str) -> bool:
    """True for a folded query word that is a whole latin word of four or more letters."""
    return _LATIN_WORD.fullmatch(word) is not None


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one inserted, deleted or replaced letter."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def typo_match(term: str, word: str) -> bool:
    """True when `word` is a whole latin term, or its beginning, but for one typo."""
    return any(within_one_edit(term[:size], word) for size in (len(word) - 1, len(word), len(word) + 1))
