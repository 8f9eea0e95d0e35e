"""User administration through Keycloak's admin API (R34); Keycloak is the only user store."""
