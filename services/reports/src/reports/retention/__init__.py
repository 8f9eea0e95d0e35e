"""Retention after 登録除外 (N17): reports deletes its copies of a patient whose registration record was deleted."""
