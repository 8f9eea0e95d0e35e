"""Reads and sets access levels as `<area>:update` / `<area>:read` realm-role mappings (R32).

Keycloak puts realm roles into the access token, so a change takes effect at the user's next token
refresh (at most the access token lifespan, 5 minutes) or next login.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal, levels_from_roles
from tbms_core.errors import InvalidInput

from identity.access.errors import GroupNotFound
from identity.access.schemas import LEVEL_OF, AccessMatrix, AreaAccess
from identity.keycloak import KeycloakAdmin
from identity.users.errors import UserNotFound
from identity.users.service import SERVICE, USER_ID, keycloak_call

ACCESS_ROLE_NAMES = frozenset(f"{area}:{level}" for area in Area for level in ("update", "read"))
_INPUT_LEVELS = {level: access for access, level in LEVEL_OF.items()}


def parse_levels(body: dict[str, str]) -> dict[Area, Access]:
    """The requested `{area: level}` map, with a Japanese message for each unknown area or level."""
    errors, levels = {}, {}
    for key, value in body.items():
        if key not in {str(area) for area in Area}:
            errors[key] = "業務区分が正しくありません。"
        elif value not in _INPUT_LEVELS:
            errors[key] = "権限は「update」（更新）「read」（参照）「none」（使用不可）から選んでください。"
        else:
            levels[Area(key)] = _INPUT_LEVELS[value]
    if errors:
        raise InvalidInput(errors=errors)
    return levels


def _levels(roles: list[dict[str, Any]]) -> dict[Area, Access]:
    return levels_from_roles(frozenset(role["name"] for role in roles))


class AccessService:
    """What administrators do with the access matrix."""

    def __init__(self, session: AsyncSession, principal: Principal, keycloak: KeycloakAdmin) -> None:
        self.session, self.principal, self.keycloak = session, principal, keycloak

    async def groups(self) -> list[AccessMatrix]:
        """Every group's levels."""
        self.principal.require(Area.USERS, Access.READ)
        groups = await keycloak_call(self.keycloak.get("/groups", {"briefRepresentation": "false"}))
        return [self._group_matrix(group) for group in groups]

    async def user(self, user_id: str) -> AccessMatrix:
        """A user's effective levels: the highest of the direct roles and those of the user's groups."""
        self.principal.require(Area.USERS, Access.READ)
        user = await self._user(user_id)
        direct = _levels(await keycloak_call(self.keycloak.get(f"/users/{user_id}/role-mappings/realm")))
        member_of = {g["id"] for g in await keycloak_call(self.keycloak.get(f"/users/{user_id}/groups"))}
        all_groups = await keycloak_call(self.keycloak.get("/groups", {"briefRepresentation": "false"}))
        inherited = {
            g["name"]: levels_from_roles(frozenset(g.get("realmRoles") or []))
            for g in all_groups
            if g["id"] in member_of
        }
        areas = [AreaAccess.of(a, direct[a], {n: lv[a] for n, lv in inherited.items()}) for a in Area]
        return AccessMatrix(id=user_id, name=user["username"], areas=areas)

    async def set_group(self, group_id: str, body: dict[str, str]) -> AccessMatrix:
        """Sets a group's levels in the given areas; other areas keep theirs."""
        self.principal.require(Area.USERS, Access.UPDATE)
        levels = parse_levels(body)
        group = await self._group(group_id)
        await self._set(f"/groups/{group_id}/role-mappings/realm", levels)
        await self._audit("group", group_id, {"group": group["name"], "levels": body})
        return self._group_matrix(await self._group(group_id))

    async def set_user(self, user_id: str, body: dict[str, str]) -> AccessMatrix:
        """Sets a user's direct levels in the given areas; group levels still apply on top."""
        self.principal.require(Area.USERS, Access.UPDATE)
        levels = parse_levels(body)
        user = await self._user(user_id)
        await self._set(f"/users/{user_id}/role-mappings/realm", levels)
        await self._audit("user", user_id, {"user": user["username"], "levels": body})
        return await self.user(user_id)

    async def _set(self, path: str, levels: dict[Area, Access]) -> None:
        current = {r["name"]: r for r in await keycloak_call(self.keycloak.get(path)) if r["name"] in ACCESS_ROLE_NAMES}
        wanted = {f"{area}:{LEVEL_OF[level]}" for area, level in levels.items() if level > Access.NONE}
        touched = {f"{area}:{level}" for area in levels for level in ("update", "read")}
        remove = [role for name, role in current.items() if name in touched - wanted]
        add = [await keycloak_call(self.keycloak.get(f"/roles/{name}")) for name in sorted(wanted - current.keys())]
        if remove:
            await keycloak_call(self.keycloak.send("DELETE", path, remove))
        if add:
            await keycloak_call(self.keycloak.send("POST", path, add))

    @staticmethod
    def _group_matrix(group: dict[str, Any]) -> AccessMatrix:
        levels = levels_from_roles(frozenset(group.get("realmRoles") or []))
        areas = [AreaAccess.of(area, levels[area], {}) for area in Area]
        return AccessMatrix(id=group["id"], name=group["name"], areas=areas)

    async def _group(self, group_id: str) -> dict[str, Any]:
        groups = await keycloak_call(self.keycloak.get("/groups", {"briefRepresentation": "false"}))
        found = [g for g in groups if g["id"] == group_id]
        if not found:
            raise GroupNotFound()
        return found[0]

    async def _user(self, user_id: str) -> dict[str, Any]:
        if not USER_ID.fullmatch(user_id):
            raise UserNotFound()
        return await keycloak_call(self.keycloak.get(f"/users/{user_id}"))

    async def _audit(self, record_type: str, record_id: str, detail: dict[str, Any]) -> None:
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            Operation.UPDATE,
            record_type=f"access_{record_type}",
            record_id=record_id,
            detail=text,
        )
