"""identity calls Keycloak's admin API verifying its certificate against the configured internal CA (compose:
https://keycloak:8443; the scratch Keycloak under compose's settings is tests/system/test_internal_tls.py)."""

from __future__ import annotations

import ssl

import pytest
from identity import keycloak
from identity.settings import Settings


@pytest.mark.req("N16", partial=True)
def test_the_admin_client_verifies_keycloak_with_the_configured_ca(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def recording_context(ca_file: str = "") -> ssl.SSLContext:
        asked.append(ca_file)
        return ssl.create_default_context()

    monkeypatch.setattr(keycloak, "ssl_context", recording_context)
    admin = keycloak.KeycloakAdmin(Settings(keycloak_url="https://keycloak:8443", keycloak_ca_file="/etc/ca.crt"))
    assert str(admin.client.base_url) == "https://keycloak:8443"
    assert asked == ["/etc/ca.crt"]
