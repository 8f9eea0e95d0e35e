"""User administration: accounts live in Keycloak only; every change is itself audited (R34, N02)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.errors import InvalidInput

from identity.keycloak import KeycloakAdmin
from identity.users.errors import USERNAME_MESSAGE, USERNAME_RULE, UserNotFound, translate
from identity.users.schemas import PasswordReset, UserCreate, UserRead, UserUpdate

SERVICE = "identity"
FIRST_LOGIN_ACTIONS = ["CONFIGURE_TOTP", "UPDATE_PASSWORD"]
T = TypeVar("T")
USER_ID = re.compile(r"[0-9A-Za-z-]{1,64}")


async def keycloak_call(call: Awaitable[T]) -> T:
    """Awaits a Keycloak admin call, turning its refusals into Japanese domain errors."""
    try:
        return await call
    except httpx.HTTPStatusError as exc:
        raise translate(exc) from exc


def _password(value: str) -> dict[str, Any]:
    return {"type": "password", "value": value, "temporary": True}


class UserAdminService:
    """What administrators do with staff accounts: find, create, change, disable, unlock, reset passwords."""

    def __init__(self, session: AsyncSession, principal: Principal, keycloak: KeycloakAdmin) -> None:
        self.session, self.principal, self.keycloak = session, principal, keycloak

    async def search(self, q: str, *, limit: int = 100) -> list[UserRead]:
        """Accounts whose username, name or e-mail contains `q` (all when empty)."""
        self.principal.require(Area.USERS, Access.READ)
        params: dict[str, Any] = {"max": limit, "briefRepresentation": "false"} | ({"search": q} if q else {})
        raw = await keycloak_call(self.keycloak.get("/users", params))
        users = await asyncio.gather(*(self._view(user) for user in raw))
        await self._audit(Operation.SEARCH, None, query=f"q={q}")
        return list(users)

    async def get(self, user_id: str) -> UserRead:
        """One account."""
        self.principal.require(Area.USERS, Access.READ)
        return await self._view(await self._raw(user_id))

    async def create(self, data: UserCreate) -> UserRead:
        """Creates an account with a temporary password; TOTP setup and a new password are required first."""
        self.principal.require(Area.USERS, Access.UPDATE)
        if not USERNAME_RULE.fullmatch(data.username):
            raise InvalidInput(errors={"username": USERNAME_MESSAGE})
        await self._check_groups(data.groups)
        body = {
            "username": data.username,
            "enabled": True,
            "lastName": data.last_name,
            "firstName": data.first_name,
            "email": data.email or None,
            "attributes": {"district": [data.district], "job_title": [data.job_title]},
            "groups": [f"/{group}" for group in data.groups],
            "credentials": [_password(data.temporary_password)],
            "requiredActions": FIRST_LOGIN_ACTIONS,
        }
        response = await keycloak_call(self.keycloak.send("POST", "/users", body))
        user_id = response.headers["location"].rstrip("/").rsplit("/", 1)[-1]
        detail = {k: v for k, v in data.model_dump().items() if k != "temporary_password"}
        await self._audit(Operation.CREATE, user_id, detail=detail)
        return await self._view(await self._raw(user_id))

    async def update(self, user_id: str, data: UserUpdate) -> UserRead:
        """Changes the given fields of an account."""
        self.principal.require(Area.USERS, Access.UPDATE)
        raw = await self._raw(user_id)
        changes = data.model_dump(exclude_none=True)
        names = {"last_name": "lastName", "first_name": "firstName", "email": "email"}
        attributes = {**(raw.get("attributes") or {})}
        fields = {}
        for field, value in changes.items():
            if field in names:
                fields[names[field]] = value
            else:
                attributes[field] = [value]
        await self._put(raw, **fields, attributes=attributes)
        await self._audit(Operation.UPDATE, user_id, detail=changes)
        return await self.get(user_id)

    async def set_enabled(self, user_id: str, enabled: bool) -> UserRead:
        """Enables or disables an account (a disabled account cannot log in)."""
        self.principal.require(Area.USERS, Access.UPDATE)
        await self._put(await self._raw(user_id), enabled=enabled)
        await self._audit(Operation.UPDATE, user_id, detail={"action": "enable" if enabled else "disable"})
        return await self.get(user_id)

    async def unlock(self, user_id: str) -> UserRead:
        """Lifts a lockout after repeated failed logins."""
        self.principal.require(Area.USERS, Access.UPDATE)
        await self._raw(user_id)
        await keycloak_call(self.keycloak.clear_login_failures(user_id))
        await self._audit(Operation.UPDATE, user_id, detail={"action": "unlock"})
        return await self.get(user_id)

    async def reset_password(self, user_id: str, data: PasswordReset) -> UserRead:
        """Sets a temporary password; the user must choose a new one at the next login."""
        self.principal.require(Area.USERS, Access.UPDATE)
        raw = await self._raw(user_id)
        path = f"/users/{user_id}/reset-password"
        await keycloak_call(self.keycloak.send("PUT", path, _password(data.temporary_password)))
        actions = sorted({*(raw.get("requiredActions") or []), "UPDATE_PASSWORD"})
        await self._put(raw, requiredActions=actions)
        await self._audit(Operation.UPDATE, user_id, detail={"action": "reset_password"})
        return await self.get(user_id)

    async def _check_groups(self, names: list[str]) -> None:
        known = {group["name"] for group in await keycloak_call(self.keycloak.get("/groups"))}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise InvalidInput(errors={"groups": f"グループ「{'、'.join(unknown)}」はありません。"})

    async def _put(self, raw: dict[str, Any], **changes: Any) -> None:
        keep = ("username", "firstName", "lastName", "email", "enabled", "attributes", "requiredActions")
        body = {key: raw[key] for key in keep if key in raw} | changes
        await keycloak_call(self.keycloak.send("PUT", f"/users/{raw['id']}", body))

    async def _raw(self, user_id: str) -> dict[str, Any]:
        if not USER_ID.fullmatch(user_id):
            raise UserNotFound()
        try:
            return await self.keycloak.get(f"/users/{user_id}")
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code == 404:
                raise UserNotFound() from exc
            raise translate(exc) from exc

    async def _view(self, raw: dict[str, Any]) -> UserRead:
        groups, status = await asyncio.gather(
            self.keycloak.get(f"/users/{raw['id']}/groups"),
            self.keycloak.get(f"/attack-detection/brute-force/users/{raw['id']}"),
        )
        return UserRead.of(raw, groups=[g["name"] for g in groups], locked=bool(status.get("disabled")))

    async def _audit(self, operation: Operation, user_id: str | None, **fields: Any) -> None:
        detail = fields.pop("detail", None)
        text = json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail is not None else None
        await audit.record(
            self.session,
            self.principal,
            SERVICE,
            operation,
            record_type="user",
            record_id=user_id,
            detail=text,
            **fields,
        )
