"""Import and export of every master: CSV (UTF-8 or CP932) and Excel, preview, then apply all or nothing."""
