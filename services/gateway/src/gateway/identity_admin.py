"""Calls to identity's administration API (users, access matrix, login and operation history) as one user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import Depends

from gateway.clients import Backend
from gateway.deps import get_backend
from gateway.errors import BadRequest

GENERAL = "_"


@dataclass(frozen=True)
class Outcome:
    """The outcome of a change: the stored record, or a Japanese message per field."""

    record: dict[str, Any] | None = None
    errors: dict[str, str] | None = None


def outcome_of(response: httpx.Response, failure: str) -> Outcome:
    """A change's outcome: identity's field messages on 422, its message on any other refusal."""
    body = _json(response)
    if response.status_code == 422:
        errors = body.get("errors") if isinstance(body.get("errors"), dict) else None
        return Outcome(errors=errors or {GENERAL: str(body.get("detail") or failure)})
    if response.status_code not in (200, 201):
        raise BadRequest(str(body.get("detail") or failure))
    return Outcome(record=body)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class IdentityAdmin:
    """identity's administration endpoints, called with the administrator's token and terminal address."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.base = backend.settings.identity_url.rstrip("/")

    async def users(self, query: str) -> list[dict[str, Any]]:
        """Accounts whose username, name or e-mail contains the query (all when empty)."""
        body = await self.backend.get_json(f"{self.base}/users", q=query[:100])
        return list(body.get("items", []))

    async def user(self, user_id: str) -> dict[str, Any]:
        """One account."""
        return await self.backend.get_json(f"{self.base}/users/{user_id}")

    async def create_user(self, data: dict[str, Any]) -> Outcome:
        """Creates an account with a temporary password (TOTP and a new password at first login)."""
        response = await self.backend.send("POST", f"{self.base}/users", json=data)
        return outcome_of(response, "ユーザを登録できませんでした。")

    async def update_user(self, user_id: str, data: dict[str, str]) -> Outcome:
        """Changes name, e-mail, district and job title."""
        response = await self.backend.send("PATCH", f"{self.base}/users/{user_id}", json=data)
        return outcome_of(response, "ユーザ情報を保存できませんでした。")

    async def user_action(self, user_id: str, action: str) -> Outcome:
        """disable, enable or unlock an account."""
        response = await self.backend.send("POST", f"{self.base}/users/{user_id}/{action}")
        return outcome_of(response, "操作を完了できませんでした。")

    async def reset_password(self, user_id: str, password: str) -> Outcome:
        """Sets a temporary password the user must change at the next login."""
        url = f"{self.base}/users/{user_id}/reset-password"
        response = await self.backend.send("POST", url, json={"temporary_password": password})
        return outcome_of(response, "パスワードを再設定できませんでした。")

    async def groups(self) -> list[dict[str, Any]]:
        """Every group's level in every area."""
        return list((await self.backend.get_json(f"{self.base}/access/groups")).get("groups", []))

    async def set_group_access(self, group_id: str, levels: dict[str, str]) -> Outcome:
        """Sets a group's levels."""
        response = await self.backend.send("PUT", f"{self.base}/access/groups/{group_id}", json=levels)
        return outcome_of(response, "権限を保存できませんでした。")

    async def user_access(self, user_id: str) -> dict[str, Any]:
        """A user's effective levels and which groups grant them."""
        return await self.backend.get_json(f"{self.base}/access/users/{user_id}")

    async def set_user_access(self, user_id: str, levels: dict[str, str]) -> Outcome:
        """Sets a user's direct levels; group levels still apply."""
        response = await self.backend.send("PUT", f"{self.base}/access/users/{user_id}", json=levels)
        return outcome_of(response, "権限を保存できませんでした。")

    async def logins(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Login events matching the filter, newest first."""
        return list((await self.backend.get_json(f"{self.base}/logins", **params)).get("items", []))

    async def audit_events(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Operation history entries matching the filter, newest first."""
        return list((await self.backend.get_json(f"{self.base}/audit/events", **params)).get("items", []))

    async def disclosure(self, person_id: str) -> dict[str, Any]:
        """Who accessed one person's data (本人開示)."""
        return await self.backend.get_json(f"{self.base}/audit/disclosure/{person_id}")

    async def verify(self) -> dict[str, Any]:
        """The hash chain check of the operation history."""
        return await self.backend.get_json(f"{self.base}/audit/verify")

    async def export(self, kind: str, params: dict[str, Any]) -> httpx.Response:
        """An open CSV download (`logins` or `audit/events`), to be relayed and then closed."""
        return await self.backend.send("GET", f"{self.base}/{kind}/export.csv", params=params, stream=True)


def get_identity(backend: Annotated[Backend, Depends(get_backend)]) -> IdentityAdmin:
    """identity's administration API as the logged-in user."""
    return IdentityAdmin(backend)


IdentityDep = Annotated[IdentityAdmin, Depends(get_identity)]
