"""HTTP API of the access matrix (権限設定); changes apply at each user's next token refresh."""

from __future__ import annotations

from fastapi import APIRouter, Body
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from identity.access.schemas import AccessMatrix, GroupAccessPage
from identity.access.service import AccessService
from identity.deps import KeycloakDep

router = APIRouter(prefix="/access", tags=["権限設定"])
LevelsBody = Body(..., examples=[{"patients": "update", "audit": "none"}])


@router.get("/groups")
async def group_access(session: SessionDep, principal: PrincipalDep, keycloak: KeycloakDep) -> GroupAccessPage:
    """Every group's level in every area (R32)."""
    return GroupAccessPage(groups=await AccessService(session, principal, keycloak).groups())


@router.put("/groups/{group_id}")
async def set_group_access(
    group_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    keycloak: KeycloakDep,
    levels: dict[str, str] = LevelsBody,
) -> AccessMatrix:
    """Sets a group's levels in the given areas (`update`, `read` or `none`)."""
    return await AccessService(session, principal, keycloak).set_group(group_id, levels)


@router.get("/users/{user_id}")
async def user_access(
    user_id: str, session: SessionDep, principal: PrincipalDep, keycloak: KeycloakDep
) -> AccessMatrix:
    """A user's effective level per area, and which groups grant it (R32)."""
    return await AccessService(session, principal, keycloak).user(user_id)


@router.put("/users/{user_id}")
async def set_user_access(
    user_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    keycloak: KeycloakDep,
    levels: dict[str, str] = LevelsBody,
) -> AccessMatrix:
    """Sets a user's direct levels in the given areas; group levels still apply."""
    return await AccessService(session, principal, keycloak).set_user(user_id, levels)
