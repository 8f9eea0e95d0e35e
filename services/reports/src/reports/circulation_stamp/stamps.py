"""What a form prints in its stamp boxes (所長・課長・係長・担当): the approvers' names and dates once the record's
回議 is approved, 「未決裁」 in every box until then, so a draft cannot pass for a decision (R10, R16)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.workflow import UNDECIDED, StampBox
from tbms_core.clock import JST
from tbms_core.jp.wareki import format_wareki

from reports.circulation_stamp.models import CirculationStamp
from reports.circulation_stamp.repository import CirculationStampRepository

BOX_ORDER = ("所長", "課長", "係長", "担当")  # the order of a form's boxes, highest first (F03)
CHANGED_NOTE = "決裁後に記録が変更されています"


@dataclass(frozen=True)
class PrintedBox:
    """One box as printed: its role, and the approver's name and date (short 和暦) or 未決裁."""

    role: str
    name: str = ""
    date: str = ""
    on_behalf: bool = False

    @property
    def decided(self) -> bool:
        return bool(self.name)

    @property
    def text(self) -> str:
        """The box's text on one line (a check reads it): 「name date」, 「代決 name date」 or 「未決裁」."""
        if not self.decided:
            return UNDECIDED
        return " ".join(part for part in ("代決" if self.on_behalf else "", self.name, self.date) if part)


@dataclass(frozen=True)
class Stamps:
    """The boxes a form prints and whether the record changed after its approval."""

    boxes: Sequence[PrintedBox] = field(default_factory=lambda: [PrintedBox(role=role) for role in BOX_ORDER])
    approved: bool = False
    changed_since_approval: bool = False

    @property
    def note(self) -> str:
        """The line printed under the boxes: a change after approval, or nothing."""
        return CHANGED_NOTE if self.changed_since_approval else ""


def stamps_of(row: CirculationStamp | None) -> Stamps:
    """The boxes of a record's current 回議 (every one 未決裁 unless approved); four 未決裁 boxes without one."""
    if row is None or not row.stamps:
        return Stamps()
    boxes = [StampBox.model_validate(box) for box in row.stamps]
    return stamps_of_boxes(boxes, approved=row.approved, changed_since_approval=row.changed_since_approval)


def stamps_of_boxes(boxes: Sequence[StampBox], *, approved: bool, changed_since_approval: bool = False) -> Stamps:
    """The boxes of a 回議 as workflow published them, highest first: names and dates when approved, else 未決裁."""
    ordered = sorted(boxes, key=lambda b: BOX_ORDER.index(b.role) if b.role in BOX_ORDER else len(BOX_ORDER))
    printed = [_printed(box) if approved else PrintedBox(role=box.role) for box in ordered]
    return Stamps(printed, approved=approved, changed_since_approval=approved and changed_since_approval)


async def stamps_of_record(session: AsyncSession, service: str, record_kind: str, record_id: object) -> Stamps:
    """The boxes a form about this record prints: those of the record's current 回議 as reports last heard it."""
    return stamps_of(await CirculationStampRepository(session).current(service, record_kind, str(record_id)))


def _printed(box: StampBox) -> PrintedBox:
    day = format_wareki(box.decided_at.astimezone(JST).date(), "short") if box.decided_at else ""
    return PrintedBox(role=box.role, name=box.name, date=day, on_behalf=box.on_behalf)
