"""Alembic environment of the reports database."""

from reports.models import metadata
from reports.settings import get_settings
from tbms_core.migrations import run_env

run_env(metadata, get_settings().database_url)
