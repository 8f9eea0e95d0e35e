"""HTTP API of the patients' deadlines: run the daily sweep now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from tbms_core.auth import PrincipalDep

from patients.deadline.service import DeadlineSweepService

router = APIRouter(tags=["期限"])


class SweepRead(BaseModel):
    """How many patients the sweep recomputed, and how many of them had deadlines that changed."""

    checked: int
    republished: int


def get_sweep_service(request: Request, principal: PrincipalDep) -> DeadlineSweepService:
    """The sweep of this request (it commits batch by batch in sessions of its own)."""
    return DeadlineSweepService(request.app.state.db, principal)


@router.post("/deadlines/sweep")
async def sweep_deadlines(sweep: Annotated[DeadlineSweepService, Depends(get_sweep_service)]) -> SweepRead:
    """Recomputes now the deadlines not yet computed today (as the daily sweep does after the day turns)."""
    done = await sweep.sweep()
    return SweepRead(checked=done.checked, republished=done.republished)
