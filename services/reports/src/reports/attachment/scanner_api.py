"""HTTP API of the virus scanner's state (N22): the signatures' date and age against the limits."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from tbms_core.auth import Access, Area, PrincipalDep

from reports.scanning import SignatureWatch

router = APIRouter(prefix="/scanner", tags=["帳票・資料"])


class ScannerStatus(BaseModel):
    """The signatures in use: ok, old (older than a day: update them), refused (uploads stop), unavailable."""

    state: Literal["ok", "old", "refused", "unavailable"]
    engine: str
    database: str
    published: datetime | None
    age_hours: float | None
    checked_at: datetime
    warn_after_hours: float
    refuse_after_hours: float
    error: str


@router.get("")
async def scanner_status(
    request: Request, principal: PrincipalDep, fresh: bool = Query(False, description="ask the scanner now")
) -> ScannerStatus:
    """The virus signatures' date and age, for the operations page; for system administrators (監査)."""
    principal.require(Area.AUDIT, Access.READ)
    watch: SignatureWatch = request.app.state.scanner
    status = await watch.status(fresh=fresh)
    return ScannerStatus(
        state=status.state,
        engine=status.engine,
        database=status.database,
        published=status.published,
        age_hours=None if status.age_hours is None else round(status.age_hours, 1),
        checked_at=status.checked_at,
        warn_after_hours=status.warn_after_hours,
        refuse_after_hours=status.refuse_after_hours,
        error=status.error,
    )
