"""The 詳細検索 form: which of its inputs are lists (check boxes) and which single values, as search names them."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import QueryParams

MAX_QUERY = 200
LISTS = ("type", "status", "district", "sex", "dots_type", "dots_intensity")  # checkboxes: any number of values
SINGLE = (
    "nurse",
    "birth_from",
    "birth_to",
    "registered_from",
    "registered_to",
    "diagnosed_from",
    "diagnosed_to",
    "age_min",
    "age_max",
    "dots_due_from",
    "dots_due_to",
    "dots_overdue",
)


def conditions_of(params: QueryParams) -> dict[str, Any]:
    """The filled-in fields of the advanced form, lists for the checkboxes."""
    conditions: dict[str, Any] = {}
    if q := params.get("q", "").strip():
        conditions["q"] = q[:MAX_QUERY]
    for name in LISTS:
        if values := [value for value in params.getlist(name) if value]:
            conditions[name] = values
    for name in SINGLE:
        if value := params.get(name, "").strip():
            conditions[name] = value
    return conditions
