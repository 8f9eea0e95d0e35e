"""Documents users store with a record (資料): uploads scanned for viruses, versioned, withdrawn with a reason."""
