"""The home page: a greeting and the previous login and logout (N04)."""
