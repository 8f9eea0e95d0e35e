"""The configurable-field columns of an export, without the service."""

from datetime import date
from types import SimpleNamespace

import pytest
from patients.export.columns import CustomColumns


@pytest.mark.req("R33", partial=True)
def test_a_label_used_twice_is_told_apart_by_its_key_so_no_column_is_ambiguous() -> None:
    def field(key: str, label: str, active_to: date | None = None) -> SimpleNamespace:
        return SimpleNamespace(key=key, label=label, active_to=active_to)

    columns = CustomColumns(
        [
            field("weight", "体重"),
            field("weight_old", "体重", date(2026, 1, 1)),
            field("area", "地区"),
            field("x", "職場"),
        ],
        date(2026, 11, 22),
    )
    assert columns.header(["登録番号", "地区"]) == [
        "体重（weight）",
        "体重（weight_old）（使用終了）",
        "地区（area）",
        "職場",
    ]
