"""The embedded engine: SQLite FTS5 with the trigram tokenizer, in one file outside the repository."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from search.engine.base import SearchDocument, SearchHit, SearchQuery, SearchResult
from search.engine.terms import SEPARATOR, QueryTerms, exact_keys, fold, index_text, parse_query

T = TypeVar("T")
TRIGRAM = 3  # FTS5 trigram needs three characters; shorter words are matched with instr()
SUGGEST_LIMIT = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    rowid INTEGER PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    area TEXT NOT NULL,
    active INTEGER NOT NULL,
    birth_year INTEGER,
    birth_date TEXT,
    sort_key TEXT NOT NULL,
    exact_keys TEXT NOT NULL,
    body TEXT NOT NULL,
    hit TEXT NOT NULL,
    UNIQUE (record_type, record_id)
);
CREATE INDEX IF NOT EXISTS ix_documents_birth_year ON documents (birth_year);
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

UPSERT = """
INSERT INTO documents (record_type, record_id, version, area, active, birth_year, birth_date, sort_key,
                       exact_keys, body, hit)
VALUES (:record_type, :record_id, :version, :area, :active, :birth_year, :birth_date, :sort_key,
        :exact_keys, :body, :hit)
ON CONFLICT (record_type, record_id) DO UPDATE SET
    version = excluded.version, area = excluded.area, active = excluded.active,
    birth_year = excluded.birth_year, birth_date = excluded.birth_date, sort_key = excluded.sort_key,
    exact_keys = excluded.exact_keys, body = excluded.body, hit = excluded.hit
WHERE excluded.version > documents.version
"""

# exact (a whole field equals the query) before prefix before substring; active records first
MATCH_RANK = """
CASE WHEN :joined = '' THEN 2
     WHEN instr(:nl || exact_keys || :nl, :nl || :joined || :nl) > 0 THEN 0
     WHEN instr(:nl || exact_keys, :nl || :joined) > 0 THEN 1
     ELSE 2 END
"""


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
        self._writer.executescript(SCHEMA)
        self._reader = self._connect()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=5000")
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
        return await self._write(lambda conn: conn.execute(UPSERT, _row(document)).rowcount > 0)

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
        if terms.empty or not query.areas:
            return SearchResult(hits=[], total=0)
        where, params = _where(query, terms)
        return await self._read(lambda conn: _run_search(conn, where, params, query))

    async def suggest(self, query: SearchQuery) -> list[SearchHit]:
        """The first few matches for the search box's drop-down."""
        limited = SearchQuery(query.text, query.areas, query.record_type, limit=SUGGEST_LIMIT)
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


def _row(document: SearchDocument) -> dict[str, Any]:
    birth = document.birth_date
    return {
        "record_type": document.record_type,
        "record_id": document.id,
        "version": document.version,
        "area": document.area,
        "active": int(document.active),
        "birth_year": birth.year if birth else None,
        "birth_date": birth.isoformat() if birth else None,
        "sort_key": fold(document.name_kana),
        "exact_keys": SEPARATOR.join(exact_keys(document)),
        "body": index_text(document),
        "hit": json.dumps(document.hit_fields(), ensure_ascii=False),
    }


def _where(query: SearchQuery, terms: QueryTerms) -> tuple[str, dict[str, Any]]:
    """The WHERE clause: readable areas, record type, and every term of the query (AND)."""
    params: dict[str, Any] = {"joined": terms.joined, "nl": SEPARATOR}
    areas = [f":area{i}" for i in range(len(query.areas))]
    params |= {f"area{i}": area for i, area in enumerate(query.areas)}
    clauses = [f"area IN ({', '.join(areas)})"]
    if query.record_type:
        clauses.append("record_type = :record_type")
        params["record_type"] = query.record_type
    long_words = [word for word in terms.words if len(word) >= TRIGRAM]
    if long_words:
        clauses.append("rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH :fts)")
        params["fts"] = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
    for i, word in enumerate(word for word in terms.words if len(word) < TRIGRAM):
        clauses.append(f"instr(body, :short{i}) > 0")
        params[f"short{i}"] = word
    for i, year in enumerate(terms.birth_years):
        clauses.append(f"birth_year = :year{i}")
        params[f"year{i}"] = year
    for i, day in enumerate(terms.birth_dates):
        clauses.append(f"birth_date = :day{i}")
        params[f"day{i}"] = day.isoformat()
    return " AND ".join(clauses), params


def _run_search(conn: sqlite3.Connection, where: str, params: dict[str, Any], query: SearchQuery) -> SearchResult:
    sql = (
        f"SELECT hit, count(*) OVER () FROM documents WHERE {where} "  # noqa: S608 - placeholders only
        f"ORDER BY active DESC, {MATCH_RANK}, sort_key, record_id LIMIT :limit OFFSET :offset"
    )
    rows = conn.execute(sql, params | {"limit": query.limit, "offset": query.offset}).fetchall()
    if rows:
        total = int(rows[0][1])
    else:
        total = int(conn.execute(f"SELECT count(*) FROM documents WHERE {where}", params).fetchone()[0])  # noqa: S608
    return SearchResult(hits=[SearchHit.from_fields(json.loads(row[0])) for row in rows], total=total)
