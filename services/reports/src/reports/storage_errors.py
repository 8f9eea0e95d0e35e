"""What the document store raises when a file cannot be given back (kept apart so the data keys can share it)."""


class ObjectMissing(LookupError):
    """The store has no object (or no such version) under the key, or its content can no longer be read."""
