"""HTTP API of the responsible-nurse lookup (担当保健師の提案)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from masters.assignment.schemas import NurseLookup
from masters.assignment.service import AssignmentService

router = APIRouter(tags=["マスタ"])


def get_assignment_service(session: SessionDep, principal: PrincipalDep) -> AssignmentService:
    """The lookup of this request."""
    return AssignmentService(session, principal)


@router.get("/masters/staff_assignment/lookup")
async def lookup_nurse(
    service: Annotated[AssignmentService, Depends(get_assignment_service)],
    district: Annotated[str, Query(max_length=100)] = "",
    address: Annotated[str, Query(max_length=300)] = "",
    on: date | None = None,
) -> NurseLookup:
    """The nurse who serves an address: the district named (code or name) or found by the address's 町丁目, and its
    assignment whose 担当町丁目 fits the address most specifically, among the rows valid on `on` (today unless
    given); reference data any logged-in user may read."""
    return await service.lookup(district.strip(), address.strip(), on)
