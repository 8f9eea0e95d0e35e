"""tbms masters service."""
