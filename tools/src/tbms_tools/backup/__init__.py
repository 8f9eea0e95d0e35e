"""Backups proven by restoring them (R31, N06, N16, N23): `tbms backup`, `tbms restore`, `tbms backup drill`."""
