"""Real Keycloak logins for tests: the demo users of the local realm (see `tbms_tools.keycloak`)."""

from tbms_tools.keycloak import DEMO_PASSWORD, auth_headers, clear_lockout, demo_totp_secret, fresh_totp, login_token

__all__ = ["DEMO_PASSWORD", "auth_headers", "clear_lockout", "demo_totp_secret", "fresh_totp", "login_token"]
