"""Settings of the contacts service (`TBMS_MASTERS_*`)."""

from functools import lru_cache
from typing import ClassVar

from tbms_core.settings import ServiceSettings, prefix


class Settings(ServiceSettings):
    """Contacts service settings."""

    model_config = prefix("contacts")
    service: ClassVar[str] = "contacts"


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
