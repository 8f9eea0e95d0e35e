"""The missing-data check: which required items of a form would print empty for this record."""

from __future__ import annotations

from collections.abc import Mapping

from reports.forms.spec import FormSpec, RequiredItem


def _value(context: Mapping[str, object], key: str) -> object:
    value: object = context
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
    return value


def _empty(value: object) -> bool:
    if isinstance(value, list | tuple):  # a row of check boxes: nothing chosen is empty
        marks = [getattr(item, "checked", item) for item in value]
        return not any(marks)
    return value is None or value == ""


def missing_items(spec: FormSpec, context: Mapping[str, object]) -> list[RequiredItem]:
    """The required items that are empty in the form's context, in the form's order."""
    return [item for item in spec.required if _empty(_value(context, item.key))]
