"""tbms patients service."""
