"""tbms workflow service: circulations and to-dos."""
