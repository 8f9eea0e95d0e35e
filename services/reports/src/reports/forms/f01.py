"""F01 DOTSアセスメントシート: the items of the 服薬支援を阻害する要因 assessment grouped as 疾患の特殊性,
患者の状態 and 社会的背景, each answered with a note, the level they give and
the DOTS type suggested (TB_PRACTICE §5.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reports.forms.common import Choice, iso_date, wareki_both
from reports.forms.dots_records import GROUPS, identity, newest
from reports.forms.spec import FormInput, RequiredItem

REQUIRED = (
    RequiredItem("assessed_on", "アセスメント日", "dots-title"),
    RequiredItem("assessor", "評価者", "dots-title"),
)


@dataclass(frozen=True)
class Item:
    """One item of the sheet as printed: its label, ■ or □, and the note."""

    label: str
    box: Choice
    note: str
    high: bool


def build_context(data: FormInput) -> Mapping[str, object]:
    """The latest assessment with the items as they were when it was made (a later sheet change does not alter it)."""
    record = newest(data.care_records, "dots_assessment", "assessed_on")
    values = record.data if record else {}
    answers = values.get("answers") or {}
    groups: dict[str, list[Item]] = {label: [] for label in GROUPS.values()}
    for item in values.get("items") or []:
        answer = answers.get(item.get("key")) or {}
        group = GROUPS.get(str(item.get("group")), str(item.get("group")))
        groups.setdefault(group, []).append(
            Item(
                label=str(item.get("label") or ""),
                box=Choice("該当", bool(answer.get("applies"))),
                note=str(answer.get("note") or ""),
                high=bool(item.get("high")),
            )
        )
    applying = sum(1 for items in groups.values() for i in items if i.box.checked)
    return identity(data.patient) | {
        "recorded": record is not None,
        "assessed_on": wareki_both(iso_date(values.get("assessed_on"))),
        "assessor": str(values.get("assessor") or ""),
        "groups": {name: items for name, items in groups.items() if items},
        "applying": applying,
        "level": (record.labels.get("level") or str(values.get("level") or "")) if record else "",
        "suggested_type": record.labels.get("suggested_type", "") if record else "",
        "note": str(values.get("note") or ""),
    }
