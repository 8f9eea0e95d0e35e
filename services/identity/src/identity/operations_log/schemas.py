"""What the operations log answers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class OperationsEntryRead(BaseModel):
    """One entry of the operations log."""

    occurred_at: datetime
    kind: str
    component: str
    details: dict[str, str]


class ComponentStateRead(BaseModel):
    """The last state the health watcher saw of one component."""

    component: str
    up: bool
    since: datetime
    checked_at: datetime


class OperationsLogPage(BaseModel):
    """A page of the operations log, newest first, with the total for paging."""

    items: list[OperationsEntryRead]
    total: int
    offset: int
    limit: int
    components: list[ComponentStateRead]
    retention_days: float
