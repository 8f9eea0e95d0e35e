"""The embedded engine: SQLite FTS5 (trigram and bigram indexes) in one file per schema version, outside the repository.

A new schema version starts a new file. If an older file keeps each document's source, the new one is filled
from it in the background while the service keeps running, and the old file is removed once done. If not
(files before version 3, or a lost file while the ledger remembers indexed records), the index is flagged
`needs_reindex` until an administrator runs `tbms search reindex`: a loud log line, /health/ready and a notice
above the search results say so.

`tbms search reindex` builds a new file beside the live one (`index-v4.rebuild-<id>.sqlite3`): searches keep
reading the live file, events are written to both, and the finished file replaces the live one with
`os.replace` while both connections' locks are held, so no search sees half of either.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from search.engine import sqlite_query
from search.engine.base import IndexState, IndexStatus, SearchDocument, SearchHit, SearchQuery, SearchResult
from search.engine.sqlite_query import run_search
from search.engine.sqlite_schema import (
    SCHEMA_VERSION,
    connect,
    create,
    empty,
    keeps_sources,
    optimise,
    read_meta,
    store,
)
from search.engine.sqlite_schema import write_meta as note
from search.engine.terms import parse_query

log = logging.getLogger(__name__)
T = TypeVar("T")
SUGGEST_LIMIT = 8
COPY_BATCH = 1000  # records copied per write transaction: events wait at most for one batch
LEGACY_FILE = "index.sqlite3"  # versions 1 and 2 kept no sources: only the owners can rebuild from them
REINDEX_ADVICE = "run `tbms search reindex` to rebuild it from the owning services"


def index_file(directory: Path, version: int = SCHEMA_VERSION) -> Path:
    """The file of one schema version."""
    return directory / f"index-v{version}.sqlite3"


def rebuild_file(directory: Path, rebuild_id: str) -> Path:
    """The file a rebuild from the owners fills beside the live one."""
    return directory / f"index-v{SCHEMA_VERSION}.rebuild-{rebuild_id}.sqlite3"


@dataclass
class Rebuild:
    """The new file of a running rebuild and its writer connection."""

    id: str
    path: Path
    conn: sqlite3.Connection


class EmbeddedEngine:
    """Search without a search server: one SQLite file, one writer and one reader connection."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = index_file(directory)
        self.fresh = False  # the file was created by this start
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._previous: sqlite3.Connection | None = None  # the older file being copied from
        self._write_lock, self._read_lock = threading.Lock(), threading.Lock()
        self._starting, self._closed = asyncio.Lock(), False
        self._status = IndexStatus(IndexState.COMPLETE)
        self._copy: asyncio.Task[None] | None = None
        self._rebuild: Rebuild | None = None  # the new file events are written to as well

    async def start(self) -> None:
        """Opens (or creates) this version's file; fills it from an older file in the background if one is left."""
        async with self._starting:
            if self._closed:
                raise RuntimeError("the search index is closed")
            if self._writer is None:
                source = await asyncio.to_thread(self._open)
                if source is not None:
                    self._copy = asyncio.create_task(self._copy_from(source), name="search-index-copy")

    def _open(self) -> Path | None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.fresh = not self.path.exists()
        self._writer = connect(self.path)
        create(self._writer)
        self._reader = connect(self.path)
        older = self._older_files()
        meta = read_meta(self._writer)
        state = IndexState(meta.get("state", IndexState.COMPLETE))
        source = next((path for path in older if keeps_sources(path)), None)
        if source is not None and (self.fresh or state is IndexState.REBUILDING):
            self._set(IndexState.REBUILDING, detail=f"copying the records of {source.name}")
            return source
        if self.fresh and older:
            names = ", ".join(path.name for path in older)
            self._set(
                IndexState.NEEDS_REINDEX, detail=f"new index schema {SCHEMA_VERSION} (was {names}): {REINDEX_ADVICE}"
            )
        else:
            self._status = IndexStatus(state, detail=meta.get("detail", ""))
            if state is IndexState.COMPLETE:
                self._remove(older)
        if self._status.state is not IndexState.COMPLETE:
            log.error("search index %s is %s: %s", self.path, self._status.state.value, self._status.detail)
        return None

    def _older_files(self) -> list[Path]:
        """Files of earlier schema versions, newest first (a newer version's file, after a rollback, is left alone)."""
        versions = {self.directory / LEGACY_FILE: 0}
        for path in self.directory.glob("index-v*.sqlite3"):
            number = path.name.removeprefix("index-v").removesuffix(".sqlite3")
            if number.isdigit() and int(number) < SCHEMA_VERSION:
                versions[path] = int(number)
        return sorted((path for path in versions if path.exists()), key=versions.__getitem__, reverse=True)

    def _set(self, state: IndexState, *, detail: str = "", done: int | None = None, total: int | None = None) -> None:
        """Records the state in the file (so a restart knows it) and in memory (so status() costs nothing)."""
        assert self._writer is not None, "the engine is closed"
        note(self._writer, state=state.value, detail=detail)
        self._status = IndexStatus(state, done=done, total=total, detail=detail)

    async def check_against_ledger(self, indexed_records: int) -> None:
        """A new empty file while the ledger remembers indexed records means the old file was lost."""
        if self.fresh and indexed_records and self._status.state is IndexState.COMPLETE:
            detail = f"index file created empty but {indexed_records} records were indexed before: {REINDEX_ADVICE}"
            await self._write(lambda _: self._set(IndexState.NEEDS_REINDEX, detail=detail))
            log.error("search index %s needs a rebuild: %s", self.path, detail)

    async def status(self) -> IndexStatus:
        """Complete, being rebuilt (with progress), or waiting for `tbms search reindex`."""
        return self._status

    async def close(self) -> None:
        """Stops a background copy and closes the connections once running statements have finished."""
        self._closed = True
        await self._stop_copy()
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        with self._write_lock, self._read_lock:
            rebuild, self._rebuild = self._rebuild, None
            for conn in (self._writer, self._reader, self._previous, rebuild and rebuild.conn):
                if conn is not None:
                    conn.close()
            self._writer = self._reader = self._previous = None

    async def index(self, document: SearchDocument, *, refresh: bool = False) -> bool:
        """Stores the document unless the index holds a newer version of it (or the same one, unless `refresh`);
        during a rebuild in the new file too."""

        def put(conn: sqlite3.Connection, live: bool) -> bool:
            if not live:  # an event after a deletion (the ledger let it through) brings the record back
                sql = "DELETE FROM removed_while_copying WHERE record_type = ? AND record_id = ?"
                conn.execute(sql, (document.record_type, document.id))
            return store(conn, [document], refresh=refresh) > 0

        return await self._write_both(put)

    async def index_many(self, documents: list[SearchDocument]) -> int:
        """Stores many documents in one transaction (rebuilds and benchmarks); how many were applied."""
        return await self._write(lambda conn: store(conn, documents))

    async def clear(self) -> None:
        """Removes every record (and stops copying from an older file)."""
        await self._stop_copy()
        await self._write(empty)

    async def begin_rebuild(self, rebuild_id: str) -> None:
        """Creates the new file beside the live one; events go to both until the rebuild finishes or is dropped."""
        await self.start()

        def begin() -> None:
            path = rebuild_file(self.directory, rebuild_id)
            with self._write_lock:
                self._drop(self._rebuild)
                self._remove([path])  # a file left by an earlier attempt with the same id
                conn = connect(path)
                create(conn)
                note(conn, state=IndexState.COMPLETE.value, detail="")
                self._rebuild = Rebuild(rebuild_id, path, conn)

        await asyncio.to_thread(begin)
        log.warning("search index rebuild %s writes into %s", rebuild_id, rebuild_file(self.directory, rebuild_id))

    async def follow_rebuild(self, rebuild_id: str | None) -> bool:
        """Writes events to that rebuild's file too (reopened after a restart), or to the live file only (None)."""
        await self.start()

        def follow() -> bool:
            with self._write_lock:
                if self._rebuild is not None and self._rebuild.id == rebuild_id:
                    return True
                if self._rebuild is not None:  # not running any more: its file is left for `abandon_rebuild`
                    self._rebuild.conn.close()
                    self._rebuild = None
                if rebuild_id is None:
                    return True
                path = rebuild_file(self.directory, rebuild_id)
                if not path.exists():
                    return False
                self._rebuild = Rebuild(rebuild_id, path, connect(path))
                return True

        return await asyncio.to_thread(follow)

    async def index_rebuilt(self, document: SearchDocument) -> bool:
        """Stores a rebuild page's document in the new file unless it holds a newer version (an event was faster)
        or the record was deleted during the rebuild."""

        def put(conn: sqlite3.Connection) -> bool:
            sql = "SELECT 1 FROM removed_while_copying WHERE record_type = ? AND record_id = ?"
            if conn.execute(sql, (document.record_type, document.id)).fetchone():
                return False
            return store(conn, [document]) > 0

        return await self._write_rebuild(put)

    async def finish_rebuild(self, rebuild_id: str | None = None) -> None:
        """Replaces the live file with the rebuild's (atomically, both locks held) and marks the index complete;
        older files are no longer needed. None: the pages went straight into the live file."""
        if rebuild_id is not None:
            await self._stop_copy()  # the copy from an older file would write into the swapped-in file
            if not await self.follow_rebuild(rebuild_id):
                raise FileNotFoundError(rebuild_file(self.directory, rebuild_id))
            await asyncio.to_thread(self._swap)
            log.warning("search index rebuild %s replaced %s", rebuild_id, self.path)
        await self._write(lambda _: self._set(IndexState.COMPLETE))
        await asyncio.to_thread(self._remove, self._older_files())

    def _swap(self) -> None:
        with self._write_lock, self._read_lock:
            rebuild, self._rebuild = self._rebuild, None
            assert rebuild is not None and self._writer is not None and self._reader is not None
            rebuild.conn.execute("DELETE FROM removed_while_copying")
            rebuild.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            rebuild.conn.close()
            self._writer.close()
            self._reader.close()
            for part in ("-wal", "-shm"):  # every connection is closed: nothing of the old file may be replayed
                self.path.with_name(self.path.name + part).unlink(missing_ok=True)
                rebuild.path.with_name(rebuild.path.name + part).unlink(missing_ok=True)
            os.replace(rebuild.path, self.path)
            self._writer = connect(self.path)
            create(self._writer)
            self._reader = connect(self.path)
            self.fresh = False

    async def abandon_rebuild(self, rebuild_id: str) -> None:
        """Deletes the rebuild's file; the live file is untouched."""
        await self.start()

        def abandon() -> None:
            with self._write_lock:
                if self._rebuild is not None and self._rebuild.id == rebuild_id:
                    self._drop(self._rebuild)
                    self._rebuild = None
                else:
                    self._remove([rebuild_file(self.directory, rebuild_id)])

        await asyncio.to_thread(abandon)

    async def discard_stray_rebuilds(self, keep: str | None) -> None:
        """Deletes files of rebuilds no longer running (left by a crash), except `keep`'s."""
        await self.start()
        kept = rebuild_file(self.directory, keep) if keep else None

        def discard() -> None:
            with self._write_lock:
                pattern = f"index-v{SCHEMA_VERSION}.rebuild-*.sqlite3"
                current = self._rebuild.path if self._rebuild else None
                self._remove([path for path in self.directory.glob(pattern) if path not in (kept, current)])

        await asyncio.to_thread(discard)

    def _drop(self, rebuild: Rebuild | None) -> None:
        if rebuild is not None:
            rebuild.conn.close()
            self._remove([rebuild.path])

    async def optimise(self) -> None:
        """Merges each full-text index into one segment and refreshes the planner's statistics (after a bulk build)."""
        await self._write(optimise)

    async def delete(self, record_type: str, record_id: str) -> None:
        """Removes a record; while copying from an older file or rebuilding into a new one, also remembers not to
        copy it back (the rebuild's file keeps the list until it is swapped in)."""

        def remove(conn: sqlite3.Connection, live: bool) -> None:
            conn.execute("DELETE FROM documents WHERE record_type = ? AND record_id = ?", (record_type, record_id))
            if not live or (self._status.state is IndexState.REBUILDING and self._copy is not None):
                sql = "INSERT OR IGNORE INTO removed_while_copying (record_type, record_id) VALUES (?, ?)"
                conn.execute(sql, (record_type, record_id))

        await self._write_both(remove)

    async def version_of(self, record_type: str, record_id: str) -> int | None:
        """The version the index holds of a record, if any."""
        sql = "SELECT version FROM documents WHERE record_type = ? AND record_id = ?"
        row = await self._read(lambda conn: conn.execute(sql, (record_type, record_id)).fetchone())
        return None if row is None else int(row[0])

    async def search(self, query: SearchQuery) -> SearchResult:
        """Records matching every word, active before excluded, exact before prefix before substring."""
        terms = parse_query(query.text)
        if (terms.empty and query.filters.empty) or not query.areas:
            return SearchResult(hits=[], total=0)
        return await self._read(lambda conn: run_search(conn, query, terms))

    async def suggest(self, query: SearchQuery) -> list[SearchHit]:
        """The first few matches for the search box's drop-down, ranked among the first few hundred found."""
        terms = parse_query(query.text)
        if terms.empty or not query.areas:
            return []
        limited = replace(query, limit=SUGGEST_LIMIT, offset=0, facets=False)
        return (await self._read(lambda conn: run_search(conn, limited, terms, cap=sqlite_query.SUGGEST_CAP))).hits

    async def _copy_from(self, source: Path) -> None:
        """Fills this file from an older one's sources, batch by batch; newer versions written meanwhile win."""
        try:
            self._previous = await asyncio.to_thread(connect, source, read_only=True)
            total = (await asyncio.to_thread(self._previous.execute, "SELECT count(*) FROM documents")).fetchone()[0]
            last, done = 0, 0
            while True:
                copied, last = await self._write(lambda conn, after=last: self._copy_batch(conn, after))
                if not copied:
                    break
                done += copied
                self._status = replace(self._status, done=done, total=total)
            await self._write(lambda conn: conn.execute("DELETE FROM removed_while_copying") and None)
            await self.finish_rebuild()
            log.warning("search index %s was rebuilt from %s (%d records)", self.path, source.name, done)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the service keeps serving what was copied; the state says so
            log.exception("copying the search index from %s failed", source)
            detail = f"copying from {source.name} failed ({exc}): {REINDEX_ADVICE}"
            await self._write(lambda _: self._set(IndexState.NEEDS_REINDEX, detail=detail))
        finally:
            previous, self._previous = self._previous, None
            if previous is not None:
                previous.close()

    def _copy_batch(self, conn: sqlite3.Connection, after: int) -> tuple[int, int]:
        assert self._previous is not None
        rows = self._previous.execute(
            "SELECT rowid, source FROM documents WHERE rowid > ? ORDER BY rowid LIMIT ?", (after, COPY_BATCH)
        ).fetchall()
        removed = set(conn.execute("SELECT record_type, record_id FROM removed_while_copying").fetchall())
        documents = [SearchDocument.from_json(json.loads(source)) for _, source in rows]
        store(conn, [document for document in documents if (document.record_type, document.id) not in removed])
        return len(rows), (rows[-1][0] if rows else after)

    async def _stop_copy(self) -> None:
        copy, self._copy = self._copy, None
        if copy is not None and not copy.done():
            copy.cancel()
            try:
                await copy
            except asyncio.CancelledError:
                pass

    def _remove(self, paths: list[Path]) -> None:
        for path in paths:
            for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                part.unlink(missing_ok=True)
            log.warning("removed the search index file %s", path)

    async def _write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        await self.start()  # events may arrive before the app's startup hook has run

        def run() -> T:
            assert self._writer is not None, "the engine is closed"
            with self._write_lock:
                return _transaction(self._writer, action)

        return await asyncio.to_thread(run)

    async def _write_both(self, action: Callable[[sqlite3.Connection, bool], T]) -> T:
        """Runs an event's write on the live file and, during a rebuild, on the new file; the live one's result."""
        await self.start()

        def run() -> T:
            assert self._writer is not None, "the engine is closed"
            with self._write_lock:
                result = _transaction(self._writer, lambda conn: action(conn, True))
                if self._rebuild is not None:
                    _transaction(self._rebuild.conn, lambda conn: action(conn, False))
                return result

        return await asyncio.to_thread(run)

    async def _write_rebuild(self, action: Callable[[sqlite3.Connection], T]) -> T:
        await self.start()

        def run() -> T:
            with self._write_lock:
                if self._rebuild is None:
                    raise RuntimeError("no rebuild of the search index is running")
                return _transaction(self._rebuild.conn, action)

        return await asyncio.to_thread(run)

    async def _read(self, action: Callable[[sqlite3.Connection], T]) -> T:
        await self.start()

        def run() -> T:
            assert self._reader is not None, "the engine is closed"
            with self._read_lock:
                return action(self._reader)

        return await asyncio.to_thread(run)


def _transaction(conn: sqlite3.Connection, action: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = action(conn)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result
