"""The realm production imports, loaded into the real Keycloak: no password grant, and no login without the code."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from tbms_testing.browser import keycloak_browser
from tbms_testing.scratch_realm import CLIENT_ID, ScratchRealm, reached_tbms, scratch_realm

PASSWORD = "Prod-Check-" + secrets.token_hex(4)  # a throwaway user of a throwaway realm


@pytest.fixture
async def production_realm() -> AsyncIterator[ScratchRealm]:
    """The production realm file imported as a scratch realm, with one user who has a password and no OTP at all
    (as if an administrator removed the user's authenticator: no OTP and no pending set-up action)."""
    async with scratch_realm("tbms-prodcheck") as realm:
        await realm.add_user("nootp1", PASSWORD)
        yield realm


@pytest.mark.req("N01")
async def test_a_user_without_an_authenticator_must_set_one_up_before_getting_in(
    production_realm: ScratchRealm,
) -> None:
    async with keycloak_browser() as browser:
        page = await production_realm.send_password(browser, "nootp1", PASSWORD)
    assert not reached_tbms(page), "the right password alone led back to tbms"
    assert page.status_code == 200
    assert 'name="totpSecret"' in page.text, "Keycloak should show the authenticator set-up page"


@pytest.mark.req("N01")
async def test_no_client_trades_a_password_for_a_token(production_realm: ScratchRealm) -> None:
    response = await production_realm.admin.post(
        f"/realms/{production_realm.name}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": CLIENT_ID,
            "client_secret": "tbms-gateway-local-secret",
            "username": "nootp1",
            "password": PASSWORD,
        },
        headers={"Authorization": ""},
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "unauthorized_client"
