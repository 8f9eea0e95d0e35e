"""Retention after 登録除外 (N17): the due list, the deletion of expired registration records, its record."""
