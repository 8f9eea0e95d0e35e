"""What the search pages show besides the hits: the names of the facets and of their values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FACET_LABELS = {"record_type": "種別", "status": "状態", "district": "地区", "sex": "性別"}
FACET_PARAMS = {"record_type": "type", "status": "status", "district": "district", "sex": "sex"}
RECORD_TYPES = {"patient": "患者", "contact": "接触者", "document": "資料", "master": "マスタ"}
STATUSES = {"active": "登録中", "excluded": "登録除外", "transferred_out": "転出", "closed": "終了"}


def labels() -> dict[str, Any]:
    """The names of the facets and of their values, for the results and 詳細検索 pages."""
    return {
        "facet_labels": FACET_LABELS,
        "facet_params": FACET_PARAMS,
        "record_types": RECORD_TYPES,
        "statuses": STATUSES,
    }


def advanced_labels(districts: Sequence[str]) -> dict[str, Any]:
    """The labels, and the district choices of 詳細検索 (none while masters cannot say: 地区 is typed then)."""
    return labels() | {"district_options": {district: district for district in districts}}


def no_results() -> dict[str, Any]:
    """What the results page shows before anything is asked."""
    return {"items": [], "total": 0, "facets": {}, "index": {}}
