"""Labels and formats every form shares: 登録区分, 性別, card codes, 和暦 dates, ages, check boxes, clipped text."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from tbms_contracts.labels import REGISTRATION_CATEGORY_PRINT_LABELS
from tbms_core.clock import JST
from tbms_core.jp.wareki import format_both, format_wareki

CATEGORY_LABELS = REGISTRATION_CATEGORY_PRINT_LABELS
SEX_LABELS = {"male": "男", "female": "女"}

ADULT_AGE = 18  # 民法4条 (since 2022-04-01): a 保護者 is printed for younger registrants
ELLIPSIS = "…"


@dataclass(frozen=True)
class Choice:
    """One printed check box: ■ when chosen, □ otherwise."""

    label: str
    checked: bool

    @property
    def mark(self) -> str:
        """The box as printed."""
        return "■" if self.checked else "□"


def choices(labels: dict[str, str], value: str) -> list[Choice]:
    """Every option of a coded field, with the stored one checked."""
    return [Choice(label, code == value) for code, label in labels.items()]


def wareki_both(day: date | None) -> str:
    """昭和45年3月1日（1970年3月1日）, or blank for a date not recorded."""
    return format_both(day) if day else ""


def wareki(day: date | None) -> str:
    """令和8年4月8日 alone, for narrow table cells; blank for a date not recorded."""
    return format_wareki(day) if day else ""


def iso_date(value: object) -> date | None:
    """A date the events carry as JSON (2026-04-08), or None when absent or unreadable."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def text_width(text: str) -> int:
    """Printed width in half-width units: kanji and kana count 2, Latin letters and digits 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """One line of text made to fit a width (half-width units): whitespace folded, cut with … when too long."""
    folded = " ".join(text.split())
    if text_width(folded) <= width:
        return folded
    kept, used = [], text_width(ELLIPSIS)
    for ch in folded:
        used += text_width(ch)
        if used > width:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + ELLIPSIS


def printed_at_label(moment: datetime) -> str:
    """出力日時 in Japan time: 令和8年11月21日 14時05分."""
    local = moment.astimezone(JST)
    return f"{format_wareki(local.date())} {local.hour}時{local.minute:02d}分"
