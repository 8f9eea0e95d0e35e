"""Fixtures of the engine tests."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from search.engine.embedded import EmbeddedEngine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[EmbeddedEngine]:
    """An empty embedded index in a temporary directory (test_meili.py overrides it with the Meilisearch one)."""
    engine = EmbeddedEngine(tmp_path)
    await engine.start()
    yield engine
    await engine.close()
