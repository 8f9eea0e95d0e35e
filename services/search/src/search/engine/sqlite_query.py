"""The embedded engine's SQL: the WHERE clause of a query, its ranking and its facet counts."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from search.engine.base import FACETS, DateRange, SearchHit, SearchQuery, SearchResult
from search.engine.terms import SEPARATOR, QueryTerms, is_latin_word

TRIGRAM = 3  # FTS5 trigram needs three characters; shorter words are matched with instr()
MAX_TYPO_CANDIDATES = 20

# exact (a whole field equals the query) before prefix before substring before one-typo; active records first
MATCH_RANK = """
CASE WHEN :joined = '' THEN 2
     WHEN instr(:nl || exact_keys || :nl, :nl || :joined || :nl) > 0 THEN 0
     WHEN instr(:nl || exact_keys, :nl || :joined) > 0 THEN 1
     WHEN {literal} THEN 2
     ELSE 3 END
"""
CANDIDATES = (
    "SELECT term FROM latin_terms WHERE length(term) >= :size - 1 AND typo_match(term, :word) ORDER BY term LIMIT :most"
)


class Where:
    """A WHERE clause being built, with its named parameters."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        """A fresh placeholder bound to the value."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def one_of(self, column: str, values: tuple[str, ...] | list[str]) -> None:
        """The column equals one of the values (no clause for none)."""
        if values:
            self.clauses.append(f"{column} IN ({', '.join(self.param(value) for value in values)})")

    def within(self, column: str, bounds: DateRange) -> None:
        """The date column lies inside the inclusive range."""
        if bounds.start:
            self.clauses.append(f"{column} >= {self.param(bounds.start.isoformat())}")
        if bounds.end:
            self.clauses.append(f"{column} <= {self.param(bounds.end.isoformat())}")

    def sql(self) -> str:
        """The clauses joined with AND."""
        return " AND ".join(self.clauses) or "1"


def build_where(conn: sqlite3.Connection, query: SearchQuery, terms: QueryTerms) -> Where:
    """Readable areas, the filters, and every term of the query (AND)."""
    where = Where()
    where.one_of("area", list(query.areas))
    kinds = query.filters.record_types or ((query.record_type,) if query.record_type else ())
    where.one_of("record_type", kinds)
    filters = query.filters
    for column, values in (
        ("status", filters.statuses),
        ("district", filters.districts),
        ("nurse", filters.nurses),
        ("sex", filters.sexes),
    ):
        where.one_of(column, values)
    where.within("birth_date", filters.birth)
    where.within("registered_on", filters.registered)
    where.within("diagnosed_on", filters.diagnosed)
    _text_terms(conn, where, terms)
    return where


def _text_terms(conn: sqlite3.Connection, where: Where, terms: QueryTerms) -> None:
    fts = []
    for word in terms.words:
        alternatives = [word] + (_typo_candidates(conn, word) if is_latin_word(word) else [])
        if len(word) >= TRIGRAM:
            fts.append("(" + " OR ".join('"' + alt.replace('"', '""') + '"' for alt in alternatives) + ")")
        else:
            where.clauses.append(f"instr(body, {where.param(word)}) > 0")
    if fts:
        match = where.param(" AND ".join(fts))
        fts_clause = f"rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH {match})"  # noqa: S608
        where.clauses.append(fts_clause)
    for year in terms.birth_years:
        where.clauses.append(f"birth_year = {where.param(year)}")
    for day in terms.birth_dates:
        where.clauses.append(f"birth_date = {where.param(day.isoformat())}")


def _typo_candidates(conn: sqlite3.Connection, word: str) -> list[str]:
    rows = conn.execute(CANDIDATES, {"size": len(word), "word": word, "most": MAX_TYPO_CANDIDATES}).fetchall()
    return [row[0] for row in rows if row[0] != word]


def run_search(conn: sqlite3.Connection, query: SearchQuery, terms: QueryTerms) -> SearchResult:
    """One page of hits, best first, the total and (when asked) the facet counts."""
    where = build_where(conn, query, terms)
    literal = " AND ".join(f"instr(body, {where.param(word)}) > 0" for word in terms.words) or "1"
    rank = MATCH_RANK.format(literal=literal)
    params = where.params | {"joined": terms.joined, "nl": SEPARATOR, "limit": query.limit, "offset": query.offset}
    sql = (
        f"SELECT hit, count(*) OVER () FROM documents WHERE {where.sql()} "  # noqa: S608 - placeholders only
        f"ORDER BY active DESC, {rank}, sort_key, record_id LIMIT :limit OFFSET :offset"
    )
    rows = conn.execute(sql, params).fetchall()
    total = int(rows[0][1]) if rows else _count(conn, where)
    facets = _facets(conn, where) if query.facets else {}
    return SearchResult([SearchHit.from_fields(json.loads(row[0])) for row in rows], total, facets)


def _count(conn: sqlite3.Connection, where: Where) -> int:
    return int(conn.execute(f"SELECT count(*) FROM documents WHERE {where.sql()}", where.params).fetchone()[0])  # noqa: S608


def _facets(conn: sqlite3.Connection, where: Where) -> dict[str, dict[str, int]]:
    """Counts per value of each facet among every record the query matches."""
    facets: dict[str, dict[str, int]] = {}
    for column in FACETS:
        sql = f"SELECT {column}, count(*) FROM documents WHERE {where.sql()} GROUP BY {column} ORDER BY 2 DESC"  # noqa: S608
        facets[column] = {value: int(count) for value, count in conn.execute(sql, where.params) if value}
    return facets
