"""masters' 外字 master as patients keeps it, for the substitutes its CP932 exports write (N26)."""
