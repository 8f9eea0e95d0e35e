"""The access matrix over the API: levels per area from realm-role mappings, direct and inherited."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from identity.keycloak import KeycloakAdmin


def by_area(matrix: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The matrix's rows keyed by area."""
    return {row["area"]: row for row in matrix["areas"]}


async def new_user(keycloak: KeycloakAdmin, cleanup: list[str], groups: list[str]) -> str:
    """A synthetic account straight in Keycloak, in the given groups; deleted after the test."""
    body = {"username": "t-" + uuid.uuid4().hex[:10], "enabled": True, "lastName": "試験", "groups": groups}
    response = await keycloak.send("POST", "/users", body)
    user_id = response.headers["location"].rsplit("/", 1)[-1]
    cleanup.append(f"/users/{user_id}")
    return user_id


class TestReadAccess:
    """Administrators see each group's and each user's level per area."""

    @pytest.mark.req("R32")
    async def test_groups_show_their_levels_in_japanese(
        self, identity: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await identity.get("/access/groups", headers=admin)
        assert response.status_code == 200, response.text
        groups = {group["name"]: by_area(group) for group in response.json()["groups"]}
        assert groups["保健師"]["patients"]["level"] == "update"
        assert groups["保健師"]["patients"]["label"] == "患者管理"
        assert groups["参照のみ"]["users"]["level_label"] == "使用不可"
        assert groups["係長"]["audit"]["level"] == "read"

    @pytest.mark.req("R32")
    async def test_a_user_inherits_the_levels_of_the_groups(
        self, identity: httpx.AsyncClient, admin: dict[str, str], keycloak: KeycloakAdmin
    ) -> None:
        nurse_id = await keycloak.user_id_of("nurse1")
        response = await identity.get(f"/access/users/{nurse_id}", headers=admin)
        assert response.status_code == 200, response.text
        areas = by_area(response.json())
        assert (areas["patients"]["level"], areas["patients"]["inherited_from"]) == ("update", ["保健師"])
        assert (areas["users"]["level"], areas["users"]["inherited_from"]) == ("none", [])

    @pytest.mark.req("R32")
    async def test_nurse_cannot_see_the_matrix(self, identity: httpx.AsyncClient, nurse: dict[str, str]) -> None:
        assert (await identity.get("/access/groups", headers=nurse)).status_code == 403


class TestSetAccess:
    """Administrators set direct levels; the effective level is the highest of direct and inherited."""

    @pytest.mark.req("R32")
    async def test_direct_level_replaces_the_other_level_of_that_area(
        self, identity: httpx.AsyncClient, admin: dict[str, str], keycloak: KeycloakAdmin, cleanup: list[str]
    ) -> None:
        user_id = await new_user(keycloak, cleanup, ["/参照のみ"])
        first = await identity.put(f"/access/users/{user_id}", json={"audit": "read", "stats": "update"}, headers=admin)
        assert first.status_code == 200, first.text
        assert by_area(first.json())["audit"]["level"] == "read"
        second = await identity.put(f"/access/users/{user_id}", json={"audit": "update"}, headers=admin)
        areas = by_area(second.json())
        assert (areas["audit"]["level"], areas["audit"]["direct"]) == ("update", "update")
        assert (areas["stats"]["level"], areas["stats"]["inherited_from"]) == ("update", ["参照のみ"])
        roles = {role["name"] for role in await keycloak.get(f"/users/{user_id}/role-mappings/realm")}
        assert {"audit:update", "stats:update"} <= roles and "audit:read" not in roles

    @pytest.mark.req("R32")
    async def test_none_removes_the_direct_level_but_not_the_inherited_one(
        self, identity: httpx.AsyncClient, admin: dict[str, str], keycloak: KeycloakAdmin, cleanup: list[str]
    ) -> None:
        user_id = await new_user(keycloak, cleanup, ["/参照のみ"])
        await identity.put(f"/access/users/{user_id}", json={"patients": "update"}, headers=admin)
        response = await identity.put(f"/access/users/{user_id}", json={"patients": "none"}, headers=admin)
        row = by_area(response.json())["patients"]
        assert (row["level"], row["direct"], row["inherited_from"]) == ("read", "none", ["参照のみ"])

    @pytest.mark.req("R32")
    async def test_group_levels_are_set(
        self, identity: httpx.AsyncClient, admin: dict[str, str], keycloak: KeycloakAdmin, cleanup: list[str]
    ) -> None:
        response = await keycloak.send("POST", "/groups", {"name": "t-" + uuid.uuid4().hex[:10]})
        group_id = response.headers["location"].rsplit("/", 1)[-1]
        cleanup.append(f"/groups/{group_id}")
        changed = await identity.put(f"/access/groups/{group_id}", json={"forms": "read"}, headers=admin)
        assert changed.status_code == 200, changed.text
        assert by_area(changed.json())["forms"]["level"] == "read"

    @pytest.mark.req("R32")
    async def test_unknown_area_or_level_is_refused_in_japanese(
        self, identity: httpx.AsyncClient, admin: dict[str, str], keycloak: KeycloakAdmin
    ) -> None:
        nurse_id = await keycloak.user_id_of("nurse1")
        body = {"kitchen": "update", "patients": "all"}
        response = await identity.put(f"/access/users/{nurse_id}", json=body, headers=admin)
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert errors["kitchen"] == "業務区分が正しくありません。" and "参照" in errors["patients"]

    @pytest.mark.req("R32")
    async def test_nurse_cannot_change_levels(
        self, identity: httpx.AsyncClient, nurse: dict[str, str], keycloak: KeycloakAdmin
    ) -> None:
        nurse_id = await keycloak.user_id_of("nurse1")
        response = await identity.put(f"/access/users/{nurse_id}", json={"users": "update"}, headers=nurse)
        assert response.status_code == 403
