"""The access matrix: business areas × levels per user and per group, as Keycloak realm roles (R32)."""
