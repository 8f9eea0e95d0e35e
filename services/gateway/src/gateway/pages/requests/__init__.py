"""依頼・回答 between municipalities, group contacts (R14, N32)."""
