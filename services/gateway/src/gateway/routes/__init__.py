"""The gateway's pages, one module per area of work."""
