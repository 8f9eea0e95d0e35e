"""HTTP API of the change log (変更管理記録, N28)."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Query

from identity.change_log.schemas import ChangeLog
from identity.deps import ChangeLogServiceDep
from identity.periods import period_end, period_start

router = APIRouter(prefix="/changes", tags=["変更管理"])


@router.get("")
async def change_log(
    service: ChangeLogServiceDep,
    since: date | datetime | None = Query(None, alias="from", description="inclusive; a date is a JST day"),
    until: date | datetime | None = Query(None, alias="to", description="inclusive date, or exclusive time"),
    of: str | None = Query(None, alias="service", max_length=40),
    limit: int = Query(200, ge=1, le=1000),
) -> ChangeLog:
    """Service starts (deployments, migrations, setting changes) and configuration changes, newest first."""
    return await service.read(period_start(since), period_end(until), of, limit)
