"""Alembic environment of the workflow database."""

from tbms_core.migrations import run_env
from workflow.models import metadata
from workflow.settings import get_settings

run_env(metadata, get_settings().database_url)
