"""identity reaches Keycloak with its own service account in realm tbms (least privilege, N09): the user
administration and Keycloak's events it needs work, and nothing beyond them does."""

from __future__ import annotations

import httpx
import pytest
from identity.keycloak import KeycloakAdmin
from identity.settings import Settings
from tbms_testing.stack import service_env


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """identity's settings as the local stack gives them (its client id and secret, no administrator)."""
    for key, value in service_env("identity").items():
        monkeypatch.setenv(key, value)
    for key in ("TBMS_IDENTITY_KEYCLOAK_ADMIN_USER", "TBMS_IDENTITY_KEYCLOAK_ADMIN_PASSWORD"):
        monkeypatch.delenv(key, raising=False)
    return Settings()


@pytest.mark.req("N09", partial=True)
async def test_the_service_account_administers_users_and_reads_events(settings: Settings) -> None:
    assert settings.keycloak_client_id == "tbms-identity"
    admin = KeycloakAdmin(settings)
    try:
        assert await admin.user_id_of("nurse1")
        assert isinstance(await admin.get("/groups"), list)
        assert isinstance(await admin.events(), list)
        assert isinstance(await admin.admin_events(), list)
    finally:
        await admin.aclose()


@pytest.mark.req("N09", partial=True)
async def test_the_service_account_can_do_nothing_else(settings: Settings) -> None:
    """No clients (their secrets), no realm settings, no roles of its own making, no deleting the realm."""
    admin = KeycloakAdmin(settings)
    attempts = [
        ("GET", "/clients", None),
        ("PUT", "", {"registrationAllowed": True}),
        ("POST", "/roles", {"name": "probe-role"}),
        ("DELETE", "", None),
    ]
    try:
        for method, path, body in attempts:
            with pytest.raises(httpx.HTTPStatusError) as refused:
                await admin.send(method, path, body)
            assert refused.value.response.status_code == 403, (method, path)
    finally:
        await admin.aclose()
