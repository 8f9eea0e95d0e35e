"""Real Keycloak logins of the demo users (password + TOTP) for demo data and the reindex; local realm only.

The logins are the ones tests use (tbms_testing.keycloak), so a tool and a test logging in the same user at once
share the record of used TOTP steps and never send the same code.
"""

from tbms_testing.keycloak import DEMO_PASSWORD, auth_headers, local_realm, login_token

__all__ = ["DEMO_PASSWORD", "auth_headers", "local_realm", "login_token"]
