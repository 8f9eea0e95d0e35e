"""tbms reports service."""
