"""The embedded engine rebuilds into a new file beside the live one and swaps it in with `os.replace` (R28)."""

from __future__ import annotations

import asyncio

import pytest
from search.engine.embedded import EmbeddedEngine, rebuild_file

from .test_behaviours import ids, record


@pytest.mark.req("R28", "R22", partial=True)
class TestRebuildFile:
    """Searches read the live file until the swap; events reach both files; a page never undoes an event."""

    async def test_the_live_file_serves_until_the_new_one_replaces_it(self, engine: EmbeddedEngine) -> None:
        await engine.index_many([record(number, f"試験 {number}号", "シケン") for number in range(5)])
        await engine.begin_rebuild("r1")
        assert rebuild_file(engine.directory, "r1").exists()
        assert await engine.index_rebuilt(record(1, "試験 一号", "シケン"))
        assert len(await ids(engine, "しけん")) == 5  # nothing emptied, the page not visible yet
        await engine.finish_rebuild("r1")
        assert await ids(engine, "しけん") == ["patient-1"]
        assert not rebuild_file(engine.directory, "r1").exists()
        assert sorted(path.name for path in engine.directory.iterdir() if path.suffix == ".sqlite3") == [
            engine.path.name
        ]

    async def test_events_reach_both_files_and_pages_neither_undo_nor_resurrect(self, engine: EmbeddedEngine) -> None:
        await engine.index_many([record(1, "試験 旧", "シケン"), record(2, "試験 削除", "シケン")])
        await engine.begin_rebuild("r1")
        assert await engine.index(record(1, "試験 新", "シケン", version=2))
        await engine.delete("patient", "patient-2")
        assert await ids(engine, "新") == ["patient-1"] and await ids(engine, "削除") == []  # the live file
        assert not await engine.index_rebuilt(record(1, "試験 旧", "シケン"))  # read before the event
        assert not await engine.index_rebuilt(record(2, "試験 削除", "シケン"))  # deleted during the rebuild
        await engine.finish_rebuild("r1")
        assert await ids(engine, "しけん") == ["patient-1"] and await ids(engine, "新") == ["patient-1"]
        assert await engine.index(record(3, "試験 後", "シケン"))  # the reopened connections write
        assert await engine.version_of("patient", "patient-1") == 2

    async def test_an_abandoned_rebuild_leaves_the_live_file_as_it_was(self, engine: EmbeddedEngine) -> None:
        await engine.index_many([record(number, f"試験 {number}号", "シケン") for number in range(3)])
        await engine.begin_rebuild("r1")
        await engine.index_rebuilt(record(9, "試験 九号", "シケン"))
        await engine.abandon_rebuild("r1")
        assert not rebuild_file(engine.directory, "r1").exists()
        assert len(await ids(engine, "しけん")) == 3
        assert await engine.index(record(4, "試験 四号", "シケン"))  # events go to the live file only
        with pytest.raises(RuntimeError, match="no rebuild"):
            await engine.index_rebuilt(record(5, "試験 五号", "シケン"))

    async def test_a_new_rebuild_replaces_a_running_one_and_strays_are_discarded(self, engine: EmbeddedEngine) -> None:
        await engine.begin_rebuild("r1")
        await engine.begin_rebuild("r2")
        assert not rebuild_file(engine.directory, "r1").exists()
        stray = rebuild_file(engine.directory, "crashed")
        stray.write_bytes(b"")
        await engine.discard_stray_rebuilds("r2")
        assert not stray.exists() and rebuild_file(engine.directory, "r2").exists()

    async def test_no_search_sees_half_a_swap(self, engine: EmbeddedEngine) -> None:
        await engine.index_many([record(number, f"試験 {number}号", "シケン") for number in range(40)])
        await engine.begin_rebuild("r1")
        await engine.index_many([])  # (events meanwhile)
        for number in range(40, 60):
            await engine.index_rebuilt(record(number, f"試験 {number}号", "シケン"))
        seen: set[int] = set()

        async def search_repeatedly() -> None:
            for _ in range(30):
                seen.add(len(await ids(engine, "しけん", limit=100)))

        await asyncio.gather(search_repeatedly(), search_repeatedly(), engine.finish_rebuild("r1"))
        assert seen <= {40, 20} and len(await ids(engine, "しけん", limit=100)) == 20
