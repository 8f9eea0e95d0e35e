"""tbms search service."""
