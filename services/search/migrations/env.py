"""Alembic environment of the search database."""

from search.models import metadata
from search.settings import get_settings
from tbms_core.migrations import run_env

run_env(metadata, get_settings().database_url)
