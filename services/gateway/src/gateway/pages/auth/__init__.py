"""Login with Keycloak, logout, the 利用上の注意 page and the session timer (N01, N03, N04)."""
