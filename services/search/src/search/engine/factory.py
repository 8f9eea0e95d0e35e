"""Chooses the engine: Meilisearch when a URL is configured, else the embedded index."""

from search.engine.base import SearchEngine
from search.engine.embedded import EmbeddedEngine
from search.engine.meili import MeiliEngine
from search.settings import Settings


def create_engine(settings: Settings) -> SearchEngine:
    """The engine this deployment uses (not started yet)."""
    if settings.meili_url:
        key = settings.meili_key.get_secret_value() if settings.meili_key else None
        return MeiliEngine(settings.meili_url, api_key=key, index=settings.meili_index)
    return EmbeddedEngine(settings.index_dir)
