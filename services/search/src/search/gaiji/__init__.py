"""masters' 外字 master as search keeps it, so a name is found by its 外字 and by the substitute alike (N11, N26)."""
