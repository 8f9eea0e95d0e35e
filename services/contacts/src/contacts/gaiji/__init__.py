"""masters' 外字 master as contacts keeps it, for the substitutes its CP932 export writes (N26)."""
