"""Per-person data keys of the document store (N17 crypto-shredding): erasing a person destroys their key."""
