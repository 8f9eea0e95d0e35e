"""What the search pages show besides the hits: the names of the facets and of their values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tbms_core.clock import today

FACET_LABELS = {"record_type": "種別", "status": "状態", "district": "地区", "sex": "性別"}
FACET_PARAMS = {"record_type": "type", "status": "status", "district": "district", "sex": "sex"}
RECORD_TYPES = {"patient": "患者", "contact": "接触者", "document": "資料", "master": "マスタ"}
STATUSES = {
    "active": "登録中",
    "excluded": "登録除外",
    "transferred_out": "転出",
    "closed": "終了",
    "ended": "健診終了（接触者）",
}
CONTACT_STATUSES = {"active": "健診中", "ended": "健診終了"}  # a contact is not registered: its screening goes on
# 詳細検索's DOTS conditions: the built-in types and intensities of the patients service (TB_PRACTICE §5.1)
DOTS_TYPES = {"hospital": "院内DOTS", "outpatient": "外来DOTS", "visit": "訪問DOTS", "contact": "連絡確認DOTS"}
DOTS_INTENSITIES = {"A": "A（原則毎日）", "B": "B（週1〜2回以上）", "C": "C（月1〜2回以上）"}


def labels() -> dict[str, Any]:
    """The names of the facets and of their values, for the results and 詳細検索 pages."""
    return {
        "facet_labels": FACET_LABELS,
        "facet_params": FACET_PARAMS,
        "record_types": RECORD_TYPES,
        "statuses": STATUSES,
        "contact_statuses": CONTACT_STATUSES,
        "today_iso": today().isoformat(),  # a DOTS due date before it means the confirmations stopped
    }


def advanced_labels(districts: Sequence[str]) -> dict[str, Any]:
    """The labels, and the district choices of 詳細検索 (none while masters cannot say: 地区 is typed then)."""
    return labels() | {
        "district_options": {district: district for district in districts},
        "dots_types": DOTS_TYPES,
        "dots_intensities": DOTS_INTENSITIES,
    }


def no_results() -> dict[str, Any]:
    """What the results page shows before anything is asked."""
    return {"items": [], "total": 0, "facets": {}, "index": {}}


def nurse_options(names: Mapping[str, str]) -> list[tuple[str, str]]:
    """詳細検索's 担当保健師: the nurses of masters' staff assignments, by name (their user names are searched);
    none while masters names none, and the user name is typed instead."""
    return sorted(((user, f"{name}（{user}）") for user, name in names.items()), key=lambda option: option[1])
