"""HTTP API of the patients' deadlines: run the daily sweep now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from tbms_core.auth import PrincipalDep
from tbms_core.deadlines import SweepCount

from patients.deadline.service import DeadlineSweepService

router = APIRouter(tags=["期限"])


def get_sweep_service(request: Request, principal: PrincipalDep) -> DeadlineSweepService:
    """The sweep of this request (it commits batch by batch in sessions of its own)."""
    return DeadlineSweepService(request.app.state.db, principal)


@router.post("/deadlines/sweep")
async def sweep_deadlines(
    sweep: Annotated[DeadlineSweepService, Depends(get_sweep_service)], everything: bool = Query(False, alias="all")
) -> SweepCount:
    """Recomputes now the deadlines not yet computed today (as the daily sweep does after the day turns), or with
    `all=true` every record's again (after a rule or a setting changed); only changed ones are republished."""
    return await sweep.sweep(everything=everything)
