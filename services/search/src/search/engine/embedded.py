"""The embedded engine: SQLite FTS5 with the trigram tokenizer, in one file outside the repository."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from search.engine.base import SearchDocument, SearchHit, SearchQuery, SearchResult
from search.engine.sqlite_query import run_search
from search.engine.terms import SEPARATOR, exact_keys, fold, index_text, latin_words, parse_query, typo_match

T = TypeVar("T")
SUGGEST_LIMIT = 8
SCHEMA_VERSION = 2  # a different version drops the index: it is rebuilt from the owners (`tbms search reindex`)

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    area TEXT NOT NULL,
    active INTEGER NOT NULL,
    status TEXT NOT NULL,
    district TEXT NOT NULL,
    nurse TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_year INTEGER,
    birth_date TEXT,
    registered_on TEXT,
    diagnosed_on TEXT,
    sort_key TEXT NOT NULL,
    exact_keys TEXT NOT NULL,
    body TEXT NOT NULL,
    hit TEXT NOT NULL,
    UNIQUE (record_type, record_id)
);
CREATE INDEX IF NOT EXISTS ix_documents_birth_year ON documents (birth_year);
CREATE INDEX IF NOT EXISTS ix_documents_birth_date ON documents (birth_date);
CREATE TABLE IF NOT EXISTS latin_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    body, content='documents', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, body) VALUES (new.rowid, new.body);
END;
CREATE TRIGGER IF NOT EXISTS documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
END;
CREATE TRIGGER IF NOT EXISTS documents_au AFTER UPDATE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO documents_fts (rowid, body) VALUES (new.rowid, new.body);
END;
"""
DROP = """
DROP TABLE IF EXISTS documents_fts; DROP TABLE IF EXISTS documents; DROP TABLE IF EXISTS latin_terms;
"""
COLUMNS = (
    "record_type, record_id, version, area, active, status, district, nurse, sex, birth_year, birth_date, "
    "registered_on, diagnosed_on, sort_key, exact_keys, body, hit"
)
UPSERT = f"""
INSERT INTO documents ({COLUMNS})
VALUES ({", ".join(":" + column.strip() for column in COLUMNS.split(","))})
ON CONFLICT (record_type, record_id) DO UPDATE SET
    {", ".join(f"{column.strip()} = excluded.{column.strip()}" for column in COLUMNS.split(",")[2:])}
WHERE excluded.version > documents.version
"""  # noqa: S608 - fixed column names
ADD_TERM = "INSERT OR IGNORE INTO latin_terms (term) VALUES (?)"


class EmbeddedEngine:
    """Search without a search server: one SQLite file, one writer and one reader connection."""

    def __init__(self, directory: Path, *, filename: str = "index.sqlite3") -> None:
        self.path = directory / filename
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._write_lock, self._read_lock = threading.Lock(), threading.Lock()
        self._starting, self._closed = asyncio.Lock(), False

    async def start(self) -> None:
        """Creates the index file and its tables if they are missing (idempotent)."""
        async with self._starting:
            if self._closed:
                raise RuntimeError("the search index is closed")
            if self._writer is None:
                await asyncio.to_thread(self._open)

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = self._connect()
        self._writer.execute("PRAGMA journal_mode=WAL")
        if self._writer.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            self._writer.executescript(DROP)
            self._writer.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._writer.executescript(SCHEMA)
        self._reader = self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=5000")
        conn.create_function("typo_match", 2, typo_match, deterministic=True)
        return conn

    async def close(self) -> None:
        """Closes both connections once running statements have finished."""
        self._closed = True
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        with self._write_lock, self._read_lock:
            for conn in (self._writer, self._reader):
                if conn is not None:
                    conn.close()
            self._writer = self._reader = None

    async def index(self, document: SearchDocument) -> bool:
        """Stores the document unless the index holds the same or a newer version of it."""
        return await self._write(lambda conn: _store(conn, [document]) > 0)

    async def index_many(self, documents: list[SearchDocument]) -> int:
        """Stores many documents in one transaction (rebuilds and benchmarks); how many were applied."""
        return await self._write(lambda conn: _store(conn, documents))

    async def clear(self) -> None:
        """Removes every record, before a rebuild from the owning services."""
        await self._write(lambda conn: conn.execute("DELETE FROM documents"))

    async def delete(self, record_type: str, record_id: str) -> None:
        """Removes a record from the index."""
        sql = "DELETE FROM documents WHERE record_type = ? AND record_id = ?"
        await self._write(lambda conn: conn.execute(sql, (record_type, record_id)))

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
        """The first few matches for the search box's drop-down."""
        limited = replace(query, limit=SUGGEST_LIMIT, offset=0, facets=False)
        return (await self.search(limited)).hits

    async def _write(self, action: Callable[[sqlite3.Connection], T]) -> T:
        await self.start()  # events may arrive before the app's startup hook has run

        def run() -> T:
            assert self._writer is not None, "the engine is closed"
            with self._write_lock:
                self._writer.execute("BEGIN IMMEDIATE")
                try:
                    result = action(self._writer)
                except BaseException:
                    self._writer.execute("ROLLBACK")
                    raise
                self._writer.execute("COMMIT")
                return result

        return await asyncio.to_thread(run)

    async def _read(self, action: Callable[[sqlite3.Connection], T]) -> T:
        await self.start()

        def run() -> T:
            assert self._reader is not None, "the engine is closed"
            with self._read_lock:
                return action(self._reader)

        return await asyncio.to_thread(run)


def _store(conn: sqlite3.Connection, documents: list[SearchDocument]) -> int:
    applied = 0
    for document in documents:
        row = _row(document)
        applied += conn.execute(UPSERT, row).rowcount
        conn.executemany(ADD_TERM, [(term,) for term in latin_words(row["body"])])
    return applied


def _row(document: SearchDocument) -> dict[str, Any]:
    birth = document.birth_date
    return {
        "record_type": document.record_type,
        "record_id": document.id,
        "version": document.version,
        "area": document.area,
        "active": int(document.active),
        "status": document.status,
        "district": document.district,
        "nurse": document.nurse,
        "sex": document.sex,
        "birth_year": birth.year if birth else None,
        "birth_date": birth.isoformat() if birth else None,
        "registered_on": document.registered_on.isoformat() if document.registered_on else None,
        "diagnosed_on": document.diagnosed_on.isoformat() if document.diagnosed_on else None,
        "sort_key": fold(document.name_kana),
        "exact_keys": SEPARATOR.join(exact_keys(document)),
        "body": index_text(document),
        "hit": json.dumps(
            document.hit_fields() | {"sex": document.sex, "district": document.district}, ensure_ascii=False
        ),
    }
