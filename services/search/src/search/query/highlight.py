"""Which characters of a shown name matched the query, so the result list can mark them (<mark>)."""

from __future__ import annotations

from search.engine.terms import fold

Segment = tuple[str, bool]  # (text, matched)


def highlight(shown: str, words: list[str]) -> list[Segment]:
    """The shown text cut into matched and unmatched runs; folding (kana, width, 異体字) is per character."""
    folded, owner = "", []
    for position, char in enumerate(shown):
        key = fold(char)
        folded += key
        owner += [position] * len(key)
    marked = [False] * len(shown)
    for word in words:
        start = folded.find(word)
        while word and start >= 0:
            for index in owner[start : start + len(word)]:
                marked[index] = True
            start = folded.find(word, start + 1)
    return _runs(shown, marked)


def _runs(shown: str, marked: list[bool]) -> list[Segment]:
    runs: list[Segment] = []
    for char, flag in zip(shown, marked, strict=True):
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + char, flag)
        else:
            runs.append((char, flag))
    return runs
