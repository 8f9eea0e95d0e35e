"""Alembic environment of the contacts database."""

from contacts.models import metadata
from contacts.settings import get_settings
from tbms_core.migrations import run_env

run_env(metadata, get_settings().database_url)
