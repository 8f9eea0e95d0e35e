"""Alembic environment of the masters database."""

from masters.models import metadata
from masters.settings import get_settings
from tbms_core.migrations import run_env

run_env(metadata, get_settings().database_url)
