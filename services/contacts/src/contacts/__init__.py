"""tbms contacts service."""
