"""tbms test helpers: real-stack service clients, Keycloak logins, polling."""

from tbms_testing.keycloak import LiveAuthHeaders, auth_headers, demo_totp_secret, fresh_totp, login_token
from tbms_testing.services import service_client, wait_for

__all__ = [
    "LiveAuthHeaders",
    "auth_headers",
    "demo_totp_secret",
    "fresh_totp",
    "login_token",
    "service_client",
    "wait_for",
]
