"""HTTP API of the operations log (運用記録, N18)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query
from tbms_contracts.audit import OperationsKind

from identity.deps import OperationsLogServiceDep
from identity.operations_log.schemas import OperationsLogPage
from identity.periods import period_end, period_start

router = APIRouter(prefix="/operations-log", tags=["運用記録"])


@router.get("")
async def operations_log(
    service: OperationsLogServiceDep,
    kind: OperationsKind | None = None,
    since: date | datetime | None = Query(None, alias="from", description="inclusive; a date is a JST day"),
    until: date | datetime | None = Query(None, alias="to", description="inclusive date, or exclusive time"),
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
) -> OperationsLogPage:
    """Components down and up, parked events, repairs and planned stops, newest first (N18)."""
    return await service.read(kind.value if kind else None, period_start(since), period_end(until), offset, limit)
