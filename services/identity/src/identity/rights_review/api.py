"""HTTP API of the access-rights review (アクセス権限の定期見直し, N21)."""

from __future__ import annotations

from fastapi import APIRouter

from identity.deps import RightsReviewServiceDep
from identity.rights_review.schemas import ConfirmationIn, ConfirmationRead, RightsReport

router = APIRouter(prefix="/rights-review", tags=["権限の見直し"])


@router.get("")
async def rights_report(service: RightsReviewServiceDep) -> RightsReport:
    """Every account with its groups, levels, last login and the reasons to look at it."""
    return await service.report()


@router.post("/{user_id}", status_code=201)
async def confirm_rights(user_id: str, decision: ConfirmationIn, service: RightsReviewServiceDep) -> ConfirmationRead:
    """Records the administrator's decision on one account."""
    return await service.confirm(user_id, decision)


@router.get("/{user_id}/history")
async def confirmation_history(user_id: str, service: RightsReviewServiceDep) -> list[ConfirmationRead]:
    """Every confirmation of one account, newest first."""
    return await service.history(user_id)
