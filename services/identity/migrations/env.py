"""Alembic environment of the identity database."""

from identity.models import metadata
from identity.settings import get_settings
from tbms_core.migrations import run_env

run_env(metadata, get_settings().database_url)
