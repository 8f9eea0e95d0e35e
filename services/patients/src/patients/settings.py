"""Settings of the patients service (`TBMS_PATIENTS_*`)."""

from functools import lru_cache
from typing import ClassVar

from tbms_core.settings import ServiceSettings, prefix


class Settings(ServiceSettings):
    """Patients service settings."""

    model_config = prefix("patients")
    service: ClassVar[str] = "patients"
    registration_no_format: str = "{year}-{seq:05d}"


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
