"""The live preview beside a date field: how a typed date reads in 和暦 and 西暦, or why it cannot be read."""

from __future__ import annotations

from dataclasses import dataclass

from tbms_core.jp.wareki import WarekiError, format_both, parse_date


@dataclass(frozen=True)
class DatePreview:
    """How a typed date reads: 和暦（西暦）, or why it cannot be read."""

    text: str = ""
    error: str = ""


def preview_date(typed: str) -> DatePreview:
    """Parses a typed date the way patients will, for the live preview beside the field."""
    if not typed.strip():
        return DatePreview()
    try:
        return DatePreview(text=format_both(parse_date(typed)))
    except WarekiError as exc:
        return DatePreview(error=str(exc))
