"""Retention after 登録除外 (N17): contacts drops its copy of a patient whose registration record was deleted."""
