"""tbms identity service: login history, operation history and (later) user administration."""
