"""tbms gateway: the staff web UI."""
