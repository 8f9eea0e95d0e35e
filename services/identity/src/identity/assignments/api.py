"""HTTP API of the assignments read model: the backfill of records older than the events kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from identity.assignments.schemas import AssignmentBatch, AssignmentReport
from identity.assignments.service import AssignmentBackfill

router = APIRouter(prefix="/access-review", tags=["アクセス分析"])


def get_backfill(session: SessionDep, principal: PrincipalDep) -> AssignmentBackfill:
    """The backfill of this request."""
    return AssignmentBackfill(session, principal)


@router.post("/assignments")
async def backfill_assignments(
    batch: AssignmentBatch, backfill: Annotated[AssignmentBackfill, Depends(get_backfill)]
) -> AssignmentReport:
    """Stores a page of patients and contacts as their services list them (a newer version held is kept)."""
    return await backfill.store(batch)
