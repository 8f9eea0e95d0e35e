"""tbms package."""
