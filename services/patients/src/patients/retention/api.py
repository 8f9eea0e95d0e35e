"""HTTP API of the retention rule: the setting, the due list (a dry run), the deletion and its records (N17)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from patients.retention.schemas import DeletionRead, DeletionRequest, DueList, RetentionRuleRead
from patients.retention.service import RetentionService

router = APIRouter(tags=["保存期間"])


def get_retention_service(session: SessionDep, principal: PrincipalDep) -> RetentionService:
    """The retention service of this request."""
    return RetentionService(session, principal)


RetentionDep = Annotated[RetentionService, Depends(get_retention_service)]


@router.get("/retention/settings")
async def retention_settings(retention: RetentionDep) -> RetentionRuleRead:
    """Years kept after 登録除外 and the basis of the figure."""
    return retention.settings()


@router.get("/retention/due")
async def retention_due(retention: RetentionDep) -> DueList:
    """The registration records whose retention period has ended today (nothing is deleted)."""
    return await retention.due()


@router.get("/retention/deletions")
async def retention_deletions(retention: RetentionDep) -> list[DeletionRead]:
    """The records of past deletions, newest first."""
    return await retention.deletions()


@router.post("/retention/deletions", status_code=201)
async def delete_expired(request: DeletionRequest, retention: RetentionDep) -> list[DeletionRead]:
    """Deletes the listed records (each due today) with everything of theirs, for the reason given."""
    return await retention.delete(request)
