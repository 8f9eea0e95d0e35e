"""Pydantic field types for what staff type: text normalised the way N11 asks, dates in 和暦 or 西暦."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated

from pydantic import BeforeValidator

from tbms_core.clock import today
from tbms_core.jp.text import normalize_input
from tbms_core.jp.wareki import parse_date


def _text(value: object) -> object:
    return normalize_input(value) if isinstance(value, str) else value


def _date(value: object) -> object:
    return parse_date(value) if isinstance(value, str) else value


def _optional_date(value: object) -> object:
    if isinstance(value, str):
        return parse_date(value) if value.strip() else None
    return value


Text = Annotated[str, BeforeValidator(_text)]
"""Text with half-width kana widened and surrounding spaces trimmed."""

FlexibleDate = Annotated[date, BeforeValidator(_date)]
"""A date typed as S45.3.1, 昭和45年3月1日, R1 or 2019-05-01."""

OptionalDate = Annotated[date | None, BeforeValidator(_optional_date)]
"""A date as FlexibleDate, where a blank entry means none."""


def not_future(value: date | None) -> date | None:
    """A date of Japan's today or before (None passes); a later one is refused in Japanese."""
    if value is not None and value > today():
        raise ValueError("未来の日付は入力できません。")
    return value


def known_choice(choices: Mapping[str, object], what: str, value: str | None) -> str | None:
    """A code of the choices (empty passes); another is refused naming what it is (`what`), in Japanese."""
    if value and value not in choices:
        raise ValueError(f"{what}が選択肢にありません。")
    return value
