"""Alembic environment of the patients database."""

from patients.models import metadata
from patients.settings import get_settings
from tbms_core.migrations import run_env

run_env(metadata, get_settings().database_url)
