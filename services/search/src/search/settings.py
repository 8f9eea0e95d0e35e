"""Settings of the search service (`TBMS_SEARCH_*`)."""

import os
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

from pydantic import AliasChoices, Field, SecretStr
from tbms_core.settings import ServiceSettings, prefix


def default_index_dir() -> Path:
    """`$TBMS_STATE/search`, the embedded index's home outside the repository."""
    return Path(os.environ.get("TBMS_STATE", "~/.local/state/tbms")).expanduser() / "search"


class Settings(ServiceSettings):
    """Search service settings: Meilisearch when a URL is given, else the embedded engine."""

    model_config = prefix("search")
    service: ClassVar[str] = "search"
    meili_url: str | None = Field(default=None, validation_alias=AliasChoices("TBMS_SEARCH_MEILI_URL", "MEILI_URL"))
    meili_key: SecretStr | None = None
    meili_index: str = "records"
    index_dir: Path = Field(default_factory=default_index_dir)


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
