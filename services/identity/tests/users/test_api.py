"""User administration over the API: accounts live in Keycloak, changes are audited, refusals in Japanese."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from identity.audit_log.models import AuditEvent
from identity.keycloak import KeycloakAdmin
from sqlalchemy import select
from tbms_core.db import Database
from tbms_testing import wait_for

PASSWORD = "Tmp-Pass-2026!x"  # a synthetic temporary password


def synthetic_username() -> str:
    """A username no demo or other test user has."""
    return "t-" + uuid.uuid4().hex[:10]


async def create(
    identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str], **fields: Any
) -> dict[str, Any]:
    """Creates a synthetic user through the API and registers it for deletion."""
    body = {
        "username": synthetic_username(),
        "last_name": "試験",
        "first_name": "一郎",
        "district": "世田谷",
        "job_title": "保健師",
        "groups": ["保健師"],
        "temporary_password": PASSWORD,
        **fields,
    }
    response = await identity.post("/users", json=body, headers=admin)
    assert response.status_code == 201, response.text
    user = response.json()
    cleanup.append(f"/users/{user['id']}")
    return user


async def audited(db: Database, user_id: str, count: int = 1) -> list[AuditEvent]:
    """Waits until the operation history holds `count` records about one user account."""

    async def found() -> list[AuditEvent]:
        async with db.session() as session:
            rows = list(
                await session.scalars(
                    select(AuditEvent).where(AuditEvent.record_type == "user", AuditEvent.record_id == user_id)
                )
            )
        return rows if len(rows) >= count else []

    return await wait_for(found, timeout=30, interval=0.5)  # type: ignore[return-value]


class TestCreateUser:
    """Administrators create accounts that must set up TOTP and a new password at first login."""

    @pytest.mark.req("R34")
    @pytest.mark.req("N02")
    async def test_new_account_has_a_temporary_password_and_first_login_actions(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str], keycloak: KeycloakAdmin
    ) -> None:
        user = await create(identity, admin, cleanup)
        assert set(user["required_actions"]) == {"CONFIGURE_TOTP", "UPDATE_PASSWORD"}
        assert (user["last_name"], user["district"], user["groups"]) == ("試験", "世田谷", ["保健師"])
        assert user["enabled"] and not user["locked"]
        [credential] = await keycloak.get(f"/users/{user['id']}/credentials")
        assert credential["type"] == "password"

    @pytest.mark.req("R34")
    async def test_creation_is_audited(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str], db: Database
    ) -> None:
        user = await create(identity, admin, cleanup)
        [row] = await audited(db, user["id"])
        assert (row.operation, row.username, row.service) == ("create", "admin1", "identity")
        assert user["username"] in (row.detail or "") and PASSWORD not in (row.detail or "")

    @pytest.mark.req("R34")
    async def test_bad_username_is_refused_in_japanese(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]
    ) -> None:
        body = {"username": "Bad Name!", "last_name": "試験", "temporary_password": PASSWORD}
        response = await identity.post("/users", json=body, headers=admin)
        assert response.status_code == 422
        assert "英小文字で始まる" in response.json()["errors"]["username"]

    @pytest.mark.req("R34", "N02")
    async def test_password_policy_errors_come_in_japanese(
        self, identity: httpx.AsyncClient, admin: dict[str, str], keycloak: KeycloakAdmin
    ) -> None:
        username = synthetic_username()
        body = {"username": username, "last_name": "試験", "temporary_password": "short"}
        response = await identity.post("/users", json=body, headers=admin)
        assert response.status_code == 422
        assert "パスワード" in response.json()["errors"]["temporary_password"]
        assert await keycloak.user_id_of(username) is None

    @pytest.mark.req("R34")
    async def test_duplicate_username_is_refused(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]
    ) -> None:
        user = await create(identity, admin, cleanup)
        body = {"username": user["username"], "last_name": "試験", "temporary_password": PASSWORD}
        response = await identity.post("/users", json=body, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"]["username"] == "このユーザIDは既に使われています。"

    @pytest.mark.req("R34")
    async def test_unknown_group_is_refused_in_japanese(
        self, identity: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        body = {"username": synthetic_username(), "last_name": "試験", "groups": ["存在しない係"]}
        response = await identity.post("/users", json={**body, "temporary_password": PASSWORD}, headers=admin)
        assert response.status_code == 422
        assert response.json()["errors"]["groups"] == "グループ「存在しない係」はありません。"

    @pytest.mark.req("R34")
    async def test_nurse_cannot_create_users(self, identity: httpx.AsyncClient, nurse: dict[str, str]) -> None:
        body = {"username": synthetic_username(), "last_name": "試験", "temporary_password": PASSWORD}
        response = await identity.post("/users", json=body, headers=nurse)
        assert response.status_code == 403
        assert "ユーザ管理" in response.json()["detail"]


class TestSearchUsers:
    """Administrators find accounts by username or name."""

    @pytest.mark.req("R34")
    async def test_search_finds_the_account_with_its_district_group_and_lock_state(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]
    ) -> None:
        user = await create(identity, admin, cleanup)
        response = await identity.get("/users", params={"q": user["username"]}, headers=admin)
        assert response.status_code == 200, response.text
        [found] = response.json()["items"]
        assert (found["id"], found["district"], found["groups"], found["locked"]) == (
            user["id"],
            "世田谷",
            ["保健師"],
            False,
        )

    @pytest.mark.req("R34")
    async def test_viewer_cannot_list_users(self, identity: httpx.AsyncClient, viewer: dict[str, str]) -> None:
        response = await identity.get("/users", headers=viewer)
        assert response.status_code == 403


class TestChangeUser:
    """Administrators change, disable, enable, unlock accounts and reset passwords, all audited."""

    @pytest.mark.req("R34")
    async def test_patch_changes_name_email_and_district_only(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]
    ) -> None:
        user = await create(identity, admin, cleanup)
        changes = {"last_name": "変更", "email": f"{user['username']}@example.test", "district": "目黒"}
        response = await identity.patch(f"/users/{user['id']}", json=changes, headers=admin)
        assert response.status_code == 200, response.text
        changed = response.json()
        assert (changed["last_name"], changed["email"], changed["district"]) == tuple(changes.values())
        assert (changed["first_name"], changed["groups"]) == ("一郎", ["保健師"])

    @pytest.mark.req("R34")
    async def test_disable_enable_unlock_and_reset_are_each_audited(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str], db: Database
    ) -> None:
        user = await create(identity, admin, cleanup)
        disabled = (await identity.post(f"/users/{user['id']}/disable", headers=admin)).json()
        assert disabled["enabled"] is False
        enabled = (await identity.post(f"/users/{user['id']}/enable", headers=admin)).json()
        assert enabled["enabled"] is True
        unlocked = await identity.post(f"/users/{user['id']}/unlock", headers=admin)
        assert unlocked.status_code == 200 and unlocked.json()["locked"] is False
        body = {"temporary_password": "Another-Tmp-2026!"}
        reset = await identity.post(f"/users/{user['id']}/reset-password", json=body, headers=admin)
        assert reset.status_code == 200, reset.text
        assert "UPDATE_PASSWORD" in reset.json()["required_actions"]
        rows = await audited(db, user["id"], 5)
        actions = {row.detail for row in rows if row.operation == "update"}
        assert {'{"action": "disable"}', '{"action": "enable"}', '{"action": "unlock"}'} <= actions

    @pytest.mark.req("R34")
    async def test_unknown_user_is_not_found(self, identity: httpx.AsyncClient, admin: dict[str, str]) -> None:
        response = await identity.post("/users/00000000-0000-0000-0000-000000000000/disable", headers=admin)
        assert response.status_code == 404
        assert response.json()["detail"] == "指定されたユーザが見つかりません。"

    @pytest.mark.req("R34")
    async def test_nurse_cannot_disable_users(
        self, identity: httpx.AsyncClient, admin: dict[str, str], nurse: dict[str, str], cleanup: list[str]
    ) -> None:
        user = await create(identity, admin, cleanup)
        response = await identity.post(f"/users/{user['id']}/disable", headers=nurse)
        assert response.status_code == 403


class TestJobTitle:
    """The job title is a user attribute the realm's user profile must declare."""

    @pytest.mark.req("R34")
    async def test_job_title_is_kept(
        self, identity: httpx.AsyncClient, admin: dict[str, str], cleanup: list[str]
    ) -> None:
        user = await create(identity, admin, cleanup, job_title="係長")
        assert user["job_title"] == "係長"
