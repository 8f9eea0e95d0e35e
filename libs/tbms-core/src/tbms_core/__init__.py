"""tbms shared kernel."""
