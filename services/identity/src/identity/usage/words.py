"""The words of a recorded search as the 利用統計 may show them: never a name, a number or a phone number as typed."""

from __future__ import annotations

import re
from collections.abc import Iterator, Set

# Words kept as typed: era years and years (S45, 1970), and the health center's districts; everything else may
# name a person (a name, カナ, a 登録番号, a phone number) and is shown only by its shape: ○ per character, 9 per digit.
_PLAIN = re.compile(r"^(?:[MTSHR明大昭平令]\d{1,2}|\d{4})$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u3000]+")
HYPHENS = "-‐ー－"


def masked(word: str, keep: Set[str] = frozenset()) -> str:
    """A search word as the statistics may show it: districts and era years as typed, else only its shape."""
    if word in keep or _PLAIN.match(word):
        return word
    return "".join("9" if ch.isdigit() else ("-" if ch in HYPHENS else "○") for ch in word)


def typed_words(query: str) -> Iterator[str]:
    """The words a user typed, from a recorded query: its `q=` part when it has one, else the whole text."""
    parts = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    for word in _SPACES.split(parts.get("q", query).strip()):
        if word:
            yield word
