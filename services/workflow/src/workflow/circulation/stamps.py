"""The stamp boxes a form prints for a circulation: names and dates once approved, 「未決裁」 until then."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tbms_contracts.workflow import UNDECIDED, CirculationChanged, StampBox

from workflow.circulation.models import APPROVED, Circulation

# The order of a form's boxes, highest first (F03: 所長・課長・係長・担当).
BOX_ORDER = ("所長", "課長", "係長", "担当")


def stamp_boxes(circulation: Circulation | None) -> list[StampBox]:
    """One box per step, highest role first; every box reads 未決裁 unless the whole route approved."""
    if circulation is None:
        return [StampBox(role=role) for role in BOX_ORDER]
    steps = sorted(circulation.steps, key=_rank)
    if circulation.status != APPROVED:
        return [StampBox(role=step["role"]) for step in steps]
    return [_box(step) for step in steps]


def changed_event(circulation: Circulation) -> CirculationChanged:
    """The event that tells other services (reports) where a circulation stands, with its stamps."""
    return CirculationChanged(
        circulation_id=str(circulation.id),
        kind=circulation.kind,
        status=circulation.status,
        service=circulation.service,
        record_kind=circulation.record_kind,
        record_id=circulation.record_id,
        record_version=circulation.record_version,
        title=circulation.title,
        approved=circulation.status == APPROVED,
        changed_since_approval=circulation.changed_since_approval,
        stamps=stamp_boxes(circulation) if circulation.kind == "decision" else [],
    )


def _box(step: dict[str, Any]) -> StampBox:
    name = step.get("decided_by_name") or ""
    on_behalf = bool(step.get("on_behalf"))
    decided_at = datetime.fromisoformat(step["decided_at"]) if step.get("decided_at") else None
    return StampBox(
        role=step["role"],
        name=name,
        decided_at=decided_at,
        on_behalf=on_behalf,
        text=f"代決 {name}" if on_behalf else (name or UNDECIDED),
    )


def _rank(step: dict[str, Any]) -> int:
    role = step.get("role", "")
    return BOX_ORDER.index(role) if role in BOX_ORDER else len(BOX_ORDER)
