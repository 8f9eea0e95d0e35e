"""Values of configurable fields: read the way staff type them, checked against the definitions, no I/O."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from tbms_core.errors import InvalidInput
from tbms_core.jp.text import normalize_input
from tbms_core.jp.wareki import WarekiError, parse_date

MAX_TEXT = 2000
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_YES = frozenset({"true", "yes", "y", "1", "はい", "有", "あり", "該当"})
_NO = frozenset({"false", "no", "n", "0", "いいえ", "無", "なし", "非該当"})


class Definition(Protocol):
    """What validation needs of a field definition (the ORM row satisfies it)."""

    key: str
    label: str
    type: str
    choices: list[dict[str, Any]]
    required: bool
    active_from: date | None
    active_to: date | None


def is_active(definition: Definition, on: date) -> bool:
    """True when the field is in use on that day (active_to is the last day in use)."""
    started = definition.active_from is None or definition.active_from <= on
    return started and (definition.active_to is None or on <= definition.active_to)


def is_empty(value: object) -> bool:
    """Nothing entered: null, blank text or no choice ticked."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def validate(
    definitions: Sequence[Definition], values: Mapping[str, Any], *, on: date, existing: Mapping[str, Any]
) -> dict[str, Any]:
    """The record's values after applying `values` to `existing`, converted per type; InvalidInput per field.

    Only the keys given change; an empty value clears the field. Fields not in use on `on` keep what they
    hold (deactivating hides a field but keeps its data), and only fields in use then are required.
    """
    by_key = {d.key: d for d in definitions}
    result, errors = dict(existing), {}
    for key, raw in values.items():
        definition = by_key.get(key)
        if definition is None:
            errors[f"custom.{key}"] = "この項目は定義されていません。"
        elif not is_active(definition, on):
            if not _same(raw, existing.get(key)):
                errors[f"custom.{key}"] = f"「{definition.label}」は現在使用されていないため変更できません。"
        elif is_empty(raw):
            result.pop(key, None)
        else:
            try:
                result[key] = convert(definition, raw)
            except ValueError as exc:
                errors[f"custom.{key}"] = str(exc)
    for definition in definitions:
        field = f"custom.{definition.key}"
        missing = is_empty(result.get(definition.key))
        if definition.required and missing and field not in errors and is_active(definition, on):
            errors[field] = f"「{definition.label}」は必須項目です。"
    if errors:
        raise InvalidInput(errors=errors)
    return result


def convert(definition: Definition, raw: object) -> Any:
    """One value as it is stored (JSON): text, a number, an ISO date, a choice value, a list of them, or a bool."""
    converters = {
        "text": _text,
        "number": _number,
        "date": _date,
        "choice": _choice,
        "multi_choice": _multi_choice,
        "yes_no": _yes_no,
    }
    return converters[definition.type](definition, raw)


def _text(_: Definition, raw: object) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError("文字で入力してください。")
    text = normalize_input(str(raw))
    if len(text) > MAX_TEXT:
        raise ValueError(f"文字数が多すぎます（{MAX_TEXT}文字まで）。")
    return text


def _number(_: Definition, raw: object) -> int | float:
    if isinstance(raw, bool):
        raise ValueError("数値で入力してください。")
    if isinstance(raw, int | float):
        number = float(raw)
    elif isinstance(raw, str) and _NUMBER.fullmatch(text := _number_text(raw)):
        number = float(text)
    else:
        raise ValueError("数値で入力してください。")
    if not math.isfinite(number):
        raise ValueError("数値で入力してください。")
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _number_text(raw: str) -> str:
    """Full-width digits, points and minus signs as typed on a Japanese keyboard; thousands separators dropped."""
    return unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace("−", "-").replace("ー", "-")


def _date(_: Definition, raw: object) -> str:
    if isinstance(raw, date):
        return raw.isoformat()
    if not isinstance(raw, str):
        raise ValueError("日付で入力してください（例: R6.4.1、2024-04-01）。")
    try:
        return parse_date(raw).isoformat()
    except WarekiError as exc:
        raise ValueError(str(exc)) from exc


def _choice(definition: Definition, raw: object) -> str:
    allowed = {str(c["value"]) for c in definition.choices}
    value = normalize_input(raw) if isinstance(raw, str) else raw
    if value not in allowed:
        raise ValueError("選択肢から選んでください。")
    return str(value)


def _multi_choice(definition: Definition, raw: object) -> list[str]:
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise ValueError("選択肢から選んでください。")
    chosen = {_choice(definition, item) for item in items}
    return [str(c["value"]) for c in definition.choices if str(c["value"]) in chosen]


def _yes_no(_: Definition, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = normalize_input(str(raw)).lower() if isinstance(raw, str | int) else None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError("「はい」か「いいえ」を選んでください。")


def _same(raw: object, stored: object) -> bool:
    return (is_empty(raw) and is_empty(stored)) or raw == stored


def display(definition: Definition | None, value: object) -> str | None:
    """A stored value as staff read it (choice labels, はい/いいえ); None leaves dates and blanks to the caller."""
    if definition is None or is_empty(value):
        return None
    labels = {str(c["value"]): str(c["label"]) for c in definition.choices}
    if definition.type == "yes_no" and isinstance(value, bool):
        return "はい" if value else "いいえ"
    if definition.type == "choice":
        return labels.get(str(value), str(value))
    if definition.type == "multi_choice" and isinstance(value, list):
        return "、".join(labels.get(str(v), str(v)) for v in value)
    return None
