"""HTTP API of the access matrix (権限設定); changes apply at each user's next token refresh."""

from __future__ import annotations

from fastapi import APIRouter, Body

from identity.access.schemas import AccessMatrix, GroupAccessPage
from identity.deps import AccessServiceDep

router = APIRouter(prefix="/access", tags=["権限設定"])
LevelsBody = Body(..., examples=[{"patients": "update", "audit": "none"}])


@router.get("/groups")
async def group_access(service: AccessServiceDep) -> GroupAccessPage:
    """Every group's level in every area (R32)."""
    return GroupAccessPage(groups=await service.groups())


@router.put("/groups/{group_id}")
async def set_group_access(
    group_id: str, service: AccessServiceDep, levels: dict[str, str] = LevelsBody
) -> AccessMatrix:
    """Sets a group's levels in the given areas (`update`, `read` or `none`)."""
    return await service.set_group(group_id, levels)


@router.get("/users/{user_id}")
async def user_access(user_id: str, service: AccessServiceDep) -> AccessMatrix:
    """A user's effective level per area, and which groups grant it (R32)."""
    return await service.user(user_id)


@router.put("/users/{user_id}")
async def set_user_access(user_id: str, service: AccessServiceDep, levels: dict[str, str] = LevelsBody) -> AccessMatrix:
    """Sets a user's direct levels in the given areas; group levels still apply."""
    return await service.set_user(user_id, levels)
