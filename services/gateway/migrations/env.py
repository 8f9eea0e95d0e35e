"""Alembic environment of the gateway database (its shared login sessions)."""

from gateway.models import metadata
from gateway.settings import get_settings
from tbms_core.migrations import run_env

run_env(metadata, get_settings().database_url)
