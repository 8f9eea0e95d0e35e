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
    # A rebuild (`tbms search reindex`) no page came for within this time is discarded; the live index stays.
    rebuild_timeout_minutes: float = Field(default=30.0, gt=0)
    rebuild_check_seconds: float = Field(default=60.0, ge=0)  # how often abandoned rebuilds are looked for; 0: never
    # 外字 (N26): masters' 外字 master, which names and queries are folded with, is read again every this many
    # seconds (the process whose consumer takes a change folds with it at once)
    gaiji_refresh_seconds: float = Field(default=30.0, gt=0)


@lru_cache
def get_settings() -> Settings:
    """The settings, read once from the environment."""
    return Settings()
