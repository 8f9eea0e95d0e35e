"""A new index schema never leaves search silently empty: it is rebuilt from the previous file, or flagged (R22)."""

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest
from search.engine import embedded
from search.engine.base import IndexState
from search.engine.embedded import LEGACY_FILE, EmbeddedEngine, index_file

from .test_behaviours import ids, record

LEGACY_SCHEMA = """
CREATE TABLE documents (rowid INTEGER PRIMARY KEY, record_type TEXT, record_id TEXT, version INTEGER, body TEXT,
                        hit TEXT);
INSERT INTO documents VALUES (1, 'patient', 'patient-1', 1, 'しけん', '{}');
PRAGMA user_version = 2;
"""


async def finished_copying(engine: EmbeddedEngine) -> None:
    """Waits for the background copy from the previous file."""
    for _ in range(200):
        if (await engine.status()).state is not IndexState.REBUILDING:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the copy from the previous index file did not finish")


async def previous_file(directory: Path, count: int) -> Path:
    """An index file of an earlier schema version that kept its documents' sources (as version 3 does)."""
    engine = EmbeddedEngine(directory / "build")
    await engine.start()
    await engine.index_many([record(number, f"試験 {number}号", "シケン") for number in range(count)])
    await engine.close()
    previous = index_file(directory, version=2)
    shutil.move(engine.path, previous)
    return previous


@pytest.mark.req("R22", partial=True)
class TestNewSchemaVersion:
    """What an operator sees after an upgrade that changes the index's schema."""

    async def test_the_new_file_is_filled_from_the_previous_one_which_is_then_removed(self, tmp_path: Path) -> None:
        previous = await previous_file(tmp_path, 30)
        engine = EmbeddedEngine(tmp_path)
        await engine.start()
        await finished_copying(engine)
        assert (await engine.status()).state is IndexState.COMPLETE
        assert len(await ids(engine, "しけん", limit=50)) == 30
        for _ in range(100):  # the copy reports complete a moment before it removes the previous file
            if not previous.exists():
                break
            await asyncio.sleep(0.1)
        assert not previous.exists()
        await engine.close()

    async def test_events_during_the_copy_win_and_deletions_are_not_copied_back(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(embedded, "COPY_BATCH", 2)  # the copy is still going on when the events arrive
        await previous_file(tmp_path, 30)
        engine = EmbeddedEngine(tmp_path)
        await engine.start()
        await engine.delete("patient", "patient-3")
        await engine.index(record(4, "試験 更新", "シケン", version=2))
        await finished_copying(engine)
        found = await ids(engine, "しけん", limit=50)
        assert "patient-3" not in found and len(found) == 29
        assert await ids(engine, "更新") == ["patient-4"]
        await engine.close()

    async def test_a_file_without_sources_asks_for_a_reindex_until_one_has_run(self, tmp_path: Path) -> None:
        legacy = sqlite3.connect(tmp_path / LEGACY_FILE)
        legacy.executescript(LEGACY_SCHEMA)
        legacy.close()
        engine = EmbeddedEngine(tmp_path)
        await engine.start()
        status = await engine.status()
        assert status.state is IndexState.NEEDS_REINDEX and "tbms search reindex" in status.detail
        await engine.begin_rebuild("r1")
        assert (await engine.status()).state is IndexState.NEEDS_REINDEX  # the live index is still incomplete
        await engine.index_rebuilt(record(1, "試験 一", "シケン"))
        await engine.finish_rebuild("r1")
        assert (await engine.status()).state is IndexState.COMPLETE
        assert await ids(engine, "しけん") == ["patient-1"]
        assert not (tmp_path / LEGACY_FILE).exists()
        await engine.close()

    async def test_a_newer_versions_file_is_left_alone_after_a_rollback(self, tmp_path: Path) -> None:
        newer = index_file(tmp_path, version=99)
        sqlite3.connect(newer).close()
        engine = EmbeddedEngine(tmp_path)
        await engine.start()
        await engine.finish_rebuild()
        assert newer.exists() and (await engine.status()).state is IndexState.COMPLETE
        await engine.close()

    async def test_a_rebuilds_file_survives_a_restart_and_is_followed_again(self, tmp_path: Path) -> None:
        engine = EmbeddedEngine(tmp_path)
        await engine.start()
        await engine.index(record(1, "試験 一", "シケン"))
        await engine.begin_rebuild("r1")
        await engine.index_rebuilt(record(1, "試験 一", "シケン"))
        await engine.close()
        again = EmbeddedEngine(tmp_path)
        await again.start()
        assert (await again.status()).state is IndexState.COMPLETE  # the live file was never emptied
        assert await again.follow_rebuild("r1") and not await again.follow_rebuild("gone")
        assert await again.follow_rebuild("r1")
        await again.index_rebuilt(record(2, "試験 二", "シケン"))
        await again.finish_rebuild("r1")
        assert await ids(again, "しけん") == ["patient-1", "patient-2"]
        await again.close()


@pytest.mark.req("R22", partial=True)
class TestLostFile:
    """An index file created empty while the ledger remembers indexed records was lost: it needs a reindex."""

    async def test_a_new_empty_file_with_a_remembering_ledger_needs_a_reindex(self, tmp_path: Path) -> None:
        engine = EmbeddedEngine(tmp_path)
        await engine.start()
        await engine.check_against_ledger(96)
        assert (await engine.status()).state is IndexState.NEEDS_REINDEX
        await engine.close()

    async def test_an_existing_file_is_trusted(self, tmp_path: Path) -> None:
        first = EmbeddedEngine(tmp_path)
        await first.start()
        await first.close()
        engine = EmbeddedEngine(tmp_path)
        await engine.start()
        await engine.check_against_ledger(96)
        assert (await engine.status()).state is IndexState.COMPLETE
        await engine.close()
