"""The identity service: the user's last login, and administration (users, access, login and operation history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from gateway.clients.base import SaveResult, ServiceClient, created, saved
from gateway.forms import GENERAL_ERROR
from gateway.web.downloads import checked
from gateway.web.errors import BadRequest, Forbidden, PageNotFound, ServiceUnavailable

EXPORT_FAILED = "CSVを出力できませんでした。"


@dataclass(frozen=True)
class LastUse:
    """The user's previous login and last logout (each {"time", "ip_address", …} or None) (N04)."""

    login: dict[str, Any] | None
    logout: dict[str, Any] | None
    failed_logins: int = 0


class IdentityClient(ServiceClient):
    """identity's REST API, called with the user's token and terminal address."""

    async def last_use(self) -> LastUse | None:
        """The user's previous login and last logout, or None when identity cannot say."""
        try:
            body = await self.get_json("/logins/me/last")
        except (BadRequest, Forbidden, PageNotFound, ServiceUnavailable, ValueError):
            return None
        return LastUse(
            login=body.get("previous_login", body.get("last_login")),
            logout=body.get("last_logout"),
            failed_logins=int(body.get("failed_logins_since_previous") or 0),
        )

    async def record_help_text_edit(self, slug: str, label: str, version: int, characters: int) -> None:
        """Records in the operation history that the user saved this version of a text (a refusal: error page)."""
        body = {"slug": slug, "label": label, "version": version, "characters": characters}
        created(await self.send("POST", "/help-text-edits", json=body), "操作履歴に記録できませんでした。")

    async def users(self, query: str) -> list[dict[str, Any]]:
        """Accounts whose username, name or e-mail contains the query (all when empty)."""
        body = await self.get_json("/users", q=query[:100])
        return list(body.get("items", []))

    async def user(self, user_id: str) -> dict[str, Any]:
        """One account."""
        return await self.get_json(f"/users/{user_id}")

    async def create_user(self, data: dict[str, Any]) -> SaveResult:
        """Creates an account with a temporary password (TOTP and a new password at first login)."""
        response = await self.send("POST", "/users", json=data)
        return change_result(response, "ユーザを登録できませんでした。")

    async def update_user(self, user_id: str, data: dict[str, str]) -> SaveResult:
        """Changes name, e-mail, district and job title."""
        response = await self.send("PATCH", f"/users/{user_id}", json=data)
        return change_result(response, "ユーザ情報を保存できませんでした。")

    async def user_action(self, user_id: str, action: str) -> SaveResult:
        """disable, enable or unlock an account."""
        response = await self.send("POST", f"/users/{user_id}/{action}")
        return change_result(response, "操作を完了できませんでした。")

    async def reset_password(self, user_id: str, password: str) -> SaveResult:
        """Sets a temporary password the user must change at the next login."""
        response = await self.send("POST", f"/users/{user_id}/reset-password", json={"temporary_password": password})
        return change_result(response, "パスワードを再設定できませんでした。")

    async def groups(self) -> list[dict[str, Any]]:
        """Every group's level in every area."""
        return list((await self.get_json("/access/groups")).get("groups", []))

    async def set_group_access(self, group_id: str, levels: dict[str, str]) -> SaveResult:
        """Sets a group's levels."""
        response = await self.send("PUT", f"/access/groups/{group_id}", json=levels)
        return change_result(response, "権限を保存できませんでした。")

    async def user_access(self, user_id: str) -> dict[str, Any]:
        """A user's effective levels and which groups grant them."""
        return await self.get_json(f"/access/users/{user_id}")

    async def set_user_access(self, user_id: str, levels: dict[str, str]) -> SaveResult:
        """Sets a user's direct levels; group levels still apply."""
        response = await self.send("PUT", f"/access/users/{user_id}", json=levels)
        return change_result(response, "権限を保存できませんでした。")

    async def logins(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Login events matching the filter, newest first."""
        return list((await self.get_json("/logins", **params)).get("items", []))

    async def usage_monthly(self, first: date, last: date) -> list[dict[str, Any]]:
        """The use of each month from `first` to `last`, oldest first (利用統計)."""
        answer = await self.get_json("/usage/monthly", **{"from": first.isoformat(), "to": last.isoformat()})
        return list(answer.get("months", []))

    async def usage_search_words(self, first: date, last: date, *, keep: list[str], top: int) -> list[dict[str, Any]]:
        """The `top` most frequent search words from `first` to `last`, masked but for the words in `keep`."""
        period = {"from": first.isoformat(), "to": last.isoformat()}
        answer = await self.get_json("/usage/search-words", **period, top=top, keep=keep)
        return list(answer.get("words", []))

    async def audit_events(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Operation history entries matching the filter, newest first."""
        return list((await self.get_json("/audit/events", **params)).get("items", []))

    async def disclosure(self, person_id: str) -> dict[str, Any]:
        """Who accessed one person's data (本人開示)."""
        return await self.get_json(f"/audit/disclosure/{quote(person_id, safe='')}")

    async def verify(self) -> dict[str, Any]:
        """The hash chain check of the operation history."""
        return await self.get_json("/audit/verify")

    async def export_logins(self, params: dict[str, Any]) -> httpx.Response:
        """The login history as an open CSV download, to be relayed and then closed."""
        return await checked(await self.send("GET", "/logins/export.csv", params=params, stream=True), EXPORT_FAILED)

    async def export_audit_events(self, params: dict[str, Any]) -> httpx.Response:
        """The operation history as an open CSV download, to be relayed and then closed."""
        response = await self.send("GET", "/audit/events/export.csv", params=params, stream=True)
        return await checked(response, EXPORT_FAILED)

    async def access_findings(self, params: dict[str, Any]) -> dict[str, Any]:
        """The unusual-access review list: {"items", "total"}."""
        return await self.get_json("/access-review/findings", **params)

    async def access_finding(self, finding_id: str) -> dict[str, Any]:
        """One finding with its evidence and review decisions."""
        return await self.get_json(f"/access-review/findings/{quote(finding_id, safe='')}")

    async def review_access_finding(self, finding_id: str, decision: dict[str, Any]) -> SaveResult:
        """Records the auditor's decision; field messages on 422, the conflict message on 409."""
        path = f"/access-review/findings/{quote(finding_id, safe='')}/review"
        return saved(await self.send("POST", path, json=decision), "確認結果を保存できませんでした。")

    async def access_rules(self) -> list[dict[str, Any]]:
        """The rules with their explanations."""
        return list(await self.get_json("/access-review/rules"))

    async def run_access_review(self) -> dict[str, Any]:
        """Runs the analysis now."""
        response = await self.send("POST", "/access-review/run")
        return _json(response)

    async def access_summary(self, month: str) -> dict[str, Any]:
        """The month's findings per rule and review state."""
        return await self.get_json("/access-review/summary", month=month)

    async def protected_persons(self) -> list[dict[str, Any]]:
        """The people whose records nobody should open without a reason."""
        return list(await self.get_json("/access-review/protected-persons"))

    async def protect_person(self, person_id: str, reason: str) -> SaveResult:
        """Adds a person to the protected list."""
        body = {"person_id": person_id, "reason": reason}
        return change_result(
            await self.send("POST", "/access-review/protected-persons", json=body), "登録できませんでした。"
        )

    async def unprotect_person(self, person_id: str) -> None:
        """Removes a person from the protected list."""
        await self.send("DELETE", f"/access-review/protected-persons/{quote(person_id, safe='')}")

    async def review_calendar(self) -> dict[str, Any]:
        """The periodic reviews: due, overdue, done (who, when) and next."""
        return await self.get_json("/review-calendar")

    async def record_review(self, kind: str, period: str, note: str) -> SaveResult:
        """Records a periodic review as done by the current user."""
        path = f"/review-calendar/{quote(kind, safe='')}/{quote(period, safe='/')}"
        return change_result(await self.send("POST", path, json={"note": note}), "記録できませんでした。")

    async def change_log(self, params: dict[str, Any]) -> dict[str, Any]:
        """Service starts and configuration changes: {"starts", "configuration"}."""
        return await self.get_json("/changes", **params)

    async def operations_log(self, params: dict[str, Any]) -> dict[str, Any]:
        """A page of the operations log: {"items", "total", "offset", "limit", "components", "retention_days"}."""
        return await self.get_json("/operations-log", **params)

    async def rights_review(self) -> dict[str, Any]:
        """The access-rights review: every account with the reasons to look at it."""
        return await self.get_json("/rights-review")

    async def confirm_rights(self, user_id: str, decision: str, note: str) -> SaveResult:
        """Records the administrator's decision on one account."""
        path = f"/rights-review/{quote(user_id, safe='')}"
        response = await self.send("POST", path, json={"decision": decision, "note": note})
        return change_result(response, "確認結果を保存できませんでした。")


def change_result(response: httpx.Response, failure: str) -> SaveResult:
    """A change's outcome: identity's field messages on 422, its message on any other refusal."""
    body = _json(response)
    if response.status_code == 422:
        errors = body.get("errors") if isinstance(body.get("errors"), dict) else None
        return SaveResult(errors=errors or {GENERAL_ERROR: str(body.get("detail") or failure)})
    if response.status_code not in (200, 201):
        raise BadRequest(str(body.get("detail") or failure))
    return SaveResult(record=body)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
