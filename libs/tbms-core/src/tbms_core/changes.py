"""Field-by-field differences of a record, as the edit history (R21) keeps them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Changes = dict[str, list[Any]]


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested values as dotted keys, so a change inside a section names its own field."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Mapping):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """`{field: [old, new]}` for every field whose value differs (JSON values)."""
    old, new = flatten(before), flatten(after)
    return {key: [old.get(key), new.get(key)] for key in sorted(old | new) if old.get(key) != new.get(key)}
