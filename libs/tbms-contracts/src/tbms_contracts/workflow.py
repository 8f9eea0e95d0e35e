"""Events of the workflow service: circulations (回議・供覧) and the stamp data a printed form shows (R10, R16)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

UNDECIDED = "未決裁"  # what every stamp box prints while a document is not approved


class StampBox(BaseModel):
    """One stamp box of a form (所長・課長・係長・担当): who approved the step and when, or 未決裁."""

    model_config = ConfigDict(frozen=True)

    role: str  # 担当, 係長, 課長, 所長
    name: str = ""  # the approver's name; empty while not approved
    decided_at: datetime | None = None
    on_behalf: bool = False  # 代決: decided by someone for the step's holder
    text: str = UNDECIDED  # what the box prints: the name, 「代決 name」 or 「未決裁」


class CirculationChanged(BaseModel):
    """A circulation moved (submitted, approved, sent back, withdrawn…); carries the stamp boxes to print."""

    model_config = ConfigDict(frozen=True)
    TYPE: ClassVar[str] = "tbms.workflow.circulation.changed.v1"

    circulation_id: str
    kind: str  # "decision" (回議) or "reading" (供覧)
    status: str  # in_progress, sent_back, approved, withdrawn
    service: str  # the owning service of the record or document
    record_kind: str
    record_id: str
    record_version: int
    title: str
    approved: bool
    changed_since_approval: bool = False
    stamps: list[StampBox] = []
