"""The embedded index's file: its tables, connections tuned for search, and how documents are written."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from search.engine.base import SearchDocument
from search.engine.terms import bigrams, fold, index_text, latin_words, typo_match

SCHEMA_VERSION = 4  # a new version is built in a new file (see EmbeddedEngine.start)
MMAP_BYTES = 2**31 - 2**16  # SQLite's usual ceiling: the whole index is read through the page cache
CACHE_KIB = 64 * 1024
# Every character but spaces belongs to a token: the bigram index holds "田中", "\x02た", "5." and "a\n" alike.
BIGRAM_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* M* N* P* S* C* Zl Zp'"

SCHEMA = f"""
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
    birth_date TEXT,
    registered_on TEXT,
    diagnosed_on TEXT,
    dots_type TEXT NOT NULL DEFAULT '',
    dots_intensity TEXT NOT NULL DEFAULT '',
    dots_due_on TEXT,
    sort_key TEXT NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (record_type, record_id)
);
CREATE INDEX IF NOT EXISTS ix_documents_birth_date ON documents (birth_date);
CREATE INDEX IF NOT EXISTS ix_documents_registered_on ON documents (registered_on);
CREATE INDEX IF NOT EXISTS ix_documents_diagnosed_on ON documents (diagnosed_on);
CREATE INDEX IF NOT EXISTS ix_documents_dots_due_on ON documents (dots_due_on);
CREATE INDEX IF NOT EXISTS ix_documents_dots_type ON documents (dots_type);
CREATE INDEX IF NOT EXISTS ix_documents_dots_intensity ON documents (dots_intensity);
CREATE TABLE IF NOT EXISTS latin_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS removed_while_copying (
    record_type TEXT NOT NULL, record_id TEXT NOT NULL, PRIMARY KEY (record_type, record_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(
    body, content='documents', content_rowid='rowid', tokenize='trigram'
);
CREATE VIRTUAL TABLE IF NOT EXISTS documents_grams USING fts5(
    grams, content='', detail='none', tokenize="{BIGRAM_TOKENIZER}"
);
CREATE TRIGGER IF NOT EXISTS documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts (rowid, body) VALUES (new.rowid, new.body);
    INSERT INTO documents_grams (rowid, grams) VALUES (new.rowid, index_bigrams(new.body));
END;
CREATE TRIGGER IF NOT EXISTS documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO documents_grams (documents_grams, rowid, grams) VALUES ('delete', old.rowid, index_bigrams(old.body));
END;
CREATE TRIGGER IF NOT EXISTS documents_au AFTER UPDATE ON documents BEGIN
    INSERT INTO documents_fts (documents_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
    INSERT INTO documents_grams (documents_grams, rowid, grams) VALUES ('delete', old.rowid, index_bigrams(old.body));
    INSERT INTO documents_fts (rowid, body) VALUES (new.rowid, new.body);
    INSERT INTO documents_grams (rowid, grams) VALUES (new.rowid, index_bigrams(new.body));
END;
"""  # noqa: S608 - fixed names only
EMPTY = ("DELETE FROM documents", "DELETE FROM latin_terms", "DELETE FROM removed_while_copying")
COLUMNS = [
    "record_type",
    "record_id",
    "version",
    "area",
    "active",
    "status",
    "district",
    "nurse",
    "sex",
    "birth_date",
    "registered_on",
    "diagnosed_on",
    "dots_type",
    "dots_intensity",
    "dots_due_on",
    "sort_key",
    "body",
    "source",
]
# One statement per batch: FTS5 writes its pending terms at the end of each statement, so a statement per
# document would leave a tiny segment per document to merge (three times slower).
UPSERT = f"""
INSERT INTO documents ({", ".join(COLUMNS)})
SELECT {", ".join(f"value ->> '$.{column}'" for column in COLUMNS)} FROM json_each(:batch) WHERE true
ON CONFLICT (record_type, record_id) DO UPDATE SET
    {", ".join(f"{column} = excluded.{column}" for column in COLUMNS[2:])}
WHERE excluded.version > documents.version
"""  # noqa: S608 - fixed column names
# A refresh replaces the same version too: what the record shows of another record changed, not the record.
REFRESH = UPSERT.replace("excluded.version > documents.version", "excluded.version >= documents.version")
ADD_TERM = "INSERT OR IGNORE INTO latin_terms (term) VALUES (?)"


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection with the functions the index's triggers and queries call, tuned for reading a large file."""
    target = f"file:{path}?mode=ro" if read_only else str(path)
    conn = sqlite3.connect(target, uri=read_only, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.create_function("typo_match", 2, typo_match, deterministic=True)
    conn.create_function("index_bigrams", 1, bigrams, deterministic=True)
    return conn


def create(conn: sqlite3.Connection) -> None:
    """Creates the tables of this schema version (idempotent)."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(SCHEMA)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def store(conn: sqlite3.Connection, documents: list[SearchDocument], *, refresh: bool = False) -> int:
    """Writes the documents unless the index holds a newer version (or the same, unless `refresh`); how many."""
    rows = [row(document) for document in documents]
    applied = conn.execute(REFRESH if refresh else UPSERT, {"batch": json.dumps(rows, ensure_ascii=False)}).rowcount
    terms = {term for values in rows for term in latin_words(values["body"])}
    conn.executemany(ADD_TERM, [(term,) for term in sorted(terms)])
    return max(applied, 0)


def row(document: SearchDocument) -> dict[str, Any]:
    """The documents table's row of a document."""
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
        "birth_date": _iso(document.birth_date),
        "registered_on": _iso(document.registered_on),
        "diagnosed_on": _iso(document.diagnosed_on),
        "dots_type": document.dots_type,
        "dots_intensity": document.dots_intensity,
        "dots_due_on": _iso(document.dots_due_on),
        "sort_key": fold(document.name_kana),
        "body": index_text(document),
        "source": json.dumps(document.to_json(), ensure_ascii=False, separators=(",", ":")),
    }


def empty(conn: sqlite3.Connection) -> None:
    """Removes every document (inside the caller's transaction)."""
    for statement in EMPTY:
        conn.execute(statement)


def optimise(conn: sqlite3.Connection) -> None:
    """Merges each full-text index into one segment and refreshes the query planner's statistics."""
    for index in ("documents_fts", "documents_grams"):
        conn.execute(f"INSERT INTO {index} ({index}) VALUES ('optimize')")  # noqa: S608 - fixed names
    conn.execute("ANALYZE")


def read_meta(conn: sqlite3.Connection) -> dict[str, str]:
    """The index's own notes: its state and the progress of a rebuild."""
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def write_meta(conn: sqlite3.Connection, **values: object) -> None:
    """Sets notes (None removes one)."""
    for key, value in values.items():
        if value is None:
            conn.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))


def keeps_sources(path: Path) -> bool:
    """True when an index file of any version keeps each document's source, so a new one can be built from it."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            columns = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return {"source", "record_type", "record_id"} <= columns


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None
