"""Search engines behind one protocol: embedded SQLite FTS5 by default, Meilisearch when configured."""

from search.engine.base import SearchDocument, SearchEngine, SearchHit, SearchQuery, SearchResult

__all__ = ["SearchDocument", "SearchEngine", "SearchHit", "SearchQuery", "SearchResult"]
