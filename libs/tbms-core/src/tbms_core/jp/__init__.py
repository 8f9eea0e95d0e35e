"""Japanese text and dates: input normalisation, search keys, 和暦 parsing and formatting."""

from tbms_core.jp.fields import FlexibleDate, OptionalDate, Text
from tbms_core.jp.text import digits_only, is_kana_reading, normalize_input, search_key, to_katakana
from tbms_core.jp.wareki import (
    Era,
    WarekiError,
    era_of,
    format_both,
    format_wareki,
    looks_like_era_year,
    parse_date,
    parse_year,
)

__all__ = [
    "Era",
    "FlexibleDate",
    "OptionalDate",
    "Text",
    "WarekiError",
    "digits_only",
    "era_of",
    "format_both",
    "format_wareki",
    "is_kana_reading",
    "looks_like_era_year",
    "normalize_input",
    "parse_date",
    "parse_year",
    "search_key",
    "to_katakana",
]
