"""What the settings page sends and shows: the typed months ("6, 12, 18, 24") and items turned into the API's value,
the API's messages placed beside their fields, and the stored settings as the form's values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PROFILES = ("standard", "standard_high_risk", "ltbi", "ltbi_high_risk")
PERIOD_FIELDS = ("lookback_months", "smear_negative_months")
ITEM_ROWS = 3  # blank rows offered after the items already added
SEPARATORS = re.compile(r"[,、，\s]+")


def typed_from(settings: Mapping[str, Any]) -> dict[str, str]:
    """The form's values from the settings in force."""
    typed: dict[str, str] = {}
    for profile in settings.get("profiles", []):
        typed[f"{profile['key']}-months"] = ", ".join(str(m) for m in profile["months"])
        typed[f"{profile['key']}-period_months"] = str(profile["period_months"])
    for n, (key, label) in enumerate((settings.get("extra_items") or {}).items()):
        typed[f"item-{n}-key"], typed[f"item-{n}-label"] = key, label
    typed["item_rows"] = str(len(settings.get("extra_items") or {}) + ITEM_ROWS)
    for name, months in (settings.get("infectious_period") or {}).items():
        typed[name] = str(months)
    return typed


def typed_posted(posted: Mapping[str, str]) -> dict[str, str]:
    """The typed values kept as they were for the form shown again (never lost on an error)."""
    typed = {k: v for k, v in posted.items() if k not in ("csrf_token", "version")}
    rows = sum(1 for k in posted if k.startswith("item-") and k.endswith("-key"))
    typed["item_rows"] = str(max(rows, ITEM_ROWS))
    return typed


def profiles_value(posted: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The four schedules as the API takes them, or the messages by field when a number is not a number."""
    value: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in PROFILES:
        months_typed = str(posted.get(f"{key}-months", "")).strip()
        parts = [p for p in SEPARATORS.split(months_typed) if p]
        period = str(posted.get(f"{key}-period_months", "")).strip()
        if not all(p.isdigit() for p in parts):
            errors[f"{key}-months"] = "検診の月は「6, 12, 18, 24」のように数をカンマで区切って入力してください。"
        if not period.isdigit():
            errors[f"{key}-period_months"] = "経過観察の期間を月数（数字）で入力してください。"
        if f"{key}-months" not in errors and f"{key}-period_months" not in errors:
            value[key] = {"months": [int(p) for p in parts], "period_months": int(period)}
    return value, errors


def extra_items_value(posted: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The added items as the API takes them ({key: label}); a row with only one of the two is named."""
    value: dict[str, str] = {}
    errors: dict[str, str] = {}
    rows = sorted({int(k.split("-")[1]) for k in posted if re.fullmatch(r"item-\d+-(key|label)", k)})
    for n in rows:
        key, label = str(posted.get(f"item-{n}-key", "")).strip(), str(posted.get(f"item-{n}-label", "")).strip()
        if not key and not label:
            continue
        if not key:
            errors[f"item-{n}-key"] = "項目の記号（半角英小文字、例: pet）を入力してください。"
        elif not label:
            errors[f"item-{n}-label"] = "項目の名称を入力してください。"
        elif key in value:
            errors[f"item-{n}-key"] = f"記号「{key}」が2回入力されています。"
        else:
            value[key] = label
    return value, errors


def infectious_value(posted: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The months the infectious period counts back, or the messages by field when one is not a number."""
    value: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name in PERIOD_FIELDS:
        typed = str(posted.get(name, "")).strip()
        if typed.isdigit():
            value[name] = int(typed)
        else:
            errors[name] = "月数を数字で入力してください。"
    return value, errors


def field_errors(errors: Mapping[str, str], key: str = "") -> dict[str, str]:
    """The API's messages (`value.standard.months`, `value`) by the page's field."""
    placed: dict[str, str] = {}
    for where, message in errors.items():
        parts = where.split(".")
        if key == "infectious_period" and where.startswith("value"):
            placed[parts[-1] if parts[-1] in PERIOD_FIELDS else "smear_negative_months"] = message
        elif len(parts) >= 2 and parts[0] == "value" and parts[1] in PROFILES:
            field = "period_months" if parts[-1] == "period_months" else "months"
            placed[f"{parts[1]}-{field}"] = message
        elif where.startswith("value"):
            placed["items"] = message
        else:
            placed[where] = message
    return placed


def saved_message(record: dict[str, Any]) -> str:
    """What the page says after a save: for the intervals, how many open exams moved at once."""
    message = f"{record.get('label', '設定')}を保存しました。"
    if record.get("key") == "profiles":
        plans, exams = int(record.get("rescheduled_plans") or 0), int(record.get("rescheduled_exams") or 0)
        if exams:
            message += (
                f"{plans}人の計画で、未実施の管理検診{exams}件の予定日を新しい間隔に移しました"
                "（実施済の検診は動きません）。"
            )
        else:
            message += "予定日の変わる未実施の管理検診はありませんでした。"
    return message
