"""The embedded engine's SQL: which index drives a query, the capped set of matches, its ranking and facets.

A query reads records through one driver, the cheapest of: the trigram index (words of three characters or
more), the bigram index (shorter words) or an index of the documents table (birth dates, date ranges).
Every other condition, every word included, is checked on the rows the driver yields. Counting stops after
CAP matches: the total and the facet counts then become lower bounds (「1,000件以上」), and the page is
ranked among the best groups read in rank order (active exact, active prefix, other active, then closed),
exact and prefix matches of whole keys being found directly through the index.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from search.engine.base import FACETS, DateRange, SearchHit, SearchQuery, SearchResult
from search.engine.terms import KEY_START, SEPARATOR, QueryTerms, is_latin_word

CAP = 1000  # matches counted exactly; beyond, totals and facet counts are lower bounds
SUGGEST_CAP = 50  # matches per group the drop-down ranks its eight suggestions among
PROBES = (20_000, 200_000)  # how far each possible driver is counted before the smallest one is chosen
TIER_SCAN = 50_000  # index entries a ranking tier reads at most, so a broad query stays fast
RANDOM_READ = 3  # a row found through an index of the documents table costs about three read in table order
TRIGRAM = 3  # FTS5 trigram needs three characters; shorter words go to the bigram index
MAX_TYPO_CANDIDATES = 20
CANDIDATES = (
    "SELECT term FROM latin_terms WHERE length(term) >= :size - 1 AND typo_match(term, :word) ORDER BY term LIMIT :most"
)
TRIGRAMS, BIGRAMS = "documents_fts", "documents_grams"
FACET_COLUMNS = ", ".join(f"d.{column}" for column in FACETS)


class Where:
    """A WHERE clause being built, with its named parameters."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.indexed: list[str] = []  # the clauses an index of the documents table can answer
        self.params: dict[str, Any] = {}

    def param(self, value: Any) -> str:
        """A fresh placeholder bound to the value."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def one_of(self, column: str, values: tuple[str, ...] | list[str], *, indexed: bool = False) -> None:
        """The column equals one of the values (no clause for none); `indexed` when an index of the column can
        drive the query (a value few records have, such as a DOTS type)."""
        if values:
            clause = f"d.{column} IN ({', '.join(self.param(value) for value in values)})"
            self.clauses.append(clause)
            if indexed:
                self.indexed.append(clause)

    def within(self, column: str, bounds: DateRange) -> None:
        """The (indexed) date column lies inside the inclusive range."""
        for bound, operator in ((bounds.start, ">="), (bounds.end, "<=")):
            if bound:
                clause = f"d.{column} {operator} {self.param(bound.isoformat())}"
                self.clauses.append(clause)
                self.indexed.append(clause)

    def sql(self) -> str:
        """The clauses joined with AND."""
        return " AND ".join(self.clauses) or "1"


@dataclass
class Plan:
    """A query as SQL: the documents' conditions and what each full-text index is asked."""

    where: Where
    joined: str  # the words as one key, to tell exact and prefix matches of a whole field
    words: list[str]
    trigram: str = ""  # MATCH expression of the words of three characters or more
    bigram: str = ""  # MATCH expression of the shorter words
    drivers: list[str] = field(default_factory=list)


def plan_query(conn: sqlite3.Connection, query: SearchQuery, terms: QueryTerms) -> Plan:
    """Readable areas, the filters, the birth dates and every word of the query (AND)."""
    where = Where()
    where.one_of("area", list(query.areas))
    filters = query.filters
    where.one_of("record_type", filters.record_types or ((query.record_type,) if query.record_type else ()))
    where.one_of("status", filters.statuses)
    where.one_of("district", filters.districts)
    where.one_of("nurse", filters.nurses)
    where.one_of("sex", filters.sexes)
    where.within("birth_date", filters.birth)
    where.within("registered_on", filters.registered)
    where.within("diagnosed_on", filters.diagnosed)
    where.one_of("dots_type", filters.dots_types, indexed=True)  # a fifth of patients at most: a cheap driver
    where.one_of("dots_intensity", filters.dots_intensities, indexed=True)
    where.within("dots_due_on", filters.dots_due)
    for year in terms.birth_years:
        where.within("birth_date", DateRange(date(year, 1, 1), date(year, 12, 31)))
    for day in terms.birth_dates:
        where.within("birth_date", DateRange(day, day))
    plan = Plan(where, terms.joined, terms.words)
    long_words, short_words = [], []
    for word in terms.words:
        alternatives = [word] + (_typo_candidates(conn, word) if is_latin_word(word) else [])
        checks = " OR ".join(f"instr(d.body, {where.param(alternative)}) > 0" for alternative in alternatives)
        where.clauses.append(f"({checks})")
        if len(word) >= TRIGRAM:
            long_words.append("(" + " OR ".join(_phrase(alternative) for alternative in alternatives) + ")")
        else:
            short_words.append(_phrase(word) + ("*" if len(word) == 1 else ""))
    plan.trigram, plan.bigram = " AND ".join(long_words), " AND ".join(short_words)
    plan.drivers = [name for name, wanted in ((TRIGRAMS, plan.trigram), (BIGRAMS, plan.bigram)) if wanted]
    if where.indexed or not plan.drivers:
        plan.drivers.append("documents")
    return plan


def run_search(
    conn: sqlite3.Connection, query: SearchQuery, terms: QueryTerms, *, cap: int | None = None
) -> SearchResult:
    """One page of hits, best first, how many matched (exactly up to CAP) and the facet counts if asked."""
    plan = plan_query(conn, query, terms)
    cap = max(cap or CAP, query.offset + query.limit)
    driver, cost = _driver(conn, plan)
    rows = _matches(conn, plan, driver, cap + 1)
    lower_bound = len(rows) > cap
    rows = rows[:cap]
    candidates = [row[0] for row in rows]
    if lower_bound:
        candidates = _best_first(conn, plan, (driver, cost), query.offset + query.limit, cap) + candidates
    hits = _page(conn, plan, candidates, query.limit, query.offset)
    facets = _facets(rows) if query.facets else {}
    return SearchResult(hits, len(rows), facets, total_is_lower_bound=lower_bound)


def _best_first(conn: sqlite3.Connection, plan: Plan, driver: tuple[str, int], needed: int, cap: int) -> list[int]:
    """Matches group by group in rank order (active exact, active prefix, other active, closed …), until enough.

    Exact and prefix matches of a whole key are read through the index ("\x02たなか\n", "\x02たなか"), so a
    broad query ranks them first however many substring matches come before them; unless the driver (a birth
    year, a date range) yields fewer rows than the key's phrase: then they are a condition on its rows.
    """
    keys = [KEY_START + plan.joined + SEPARATOR, KEY_START + plan.joined] if plan.joined else []
    through_index = {key: _through_index(conn, key, driver) for key in keys}
    found: dict[int, None] = {}
    for active in ("d.active = 1", "d.active = 0"):
        for key in [*keys, ""]:
            if not key:
                rows = _matches(conn, plan, driver[0], cap, condition=active)
            elif through_index[key]:
                rows = _matches(conn, plan, _index_of(key), cap, condition=active, key=key)
            else:
                rows = _matches(conn, plan, driver[0], cap, condition=f"{active} AND instr(d.body, :key) > 0", key=key)
            found.update(dict.fromkeys(row[0] for row in rows))
            if len(found) >= needed:
                return list(found)
    return list(found)


def _through_index(conn: sqlite3.Connection, key: str, driver: tuple[str, int]) -> bool:
    """True when reading a key's phrase from the full-text index costs less than reading the driver's rows."""
    name, cost = driver
    return name != "documents" or _count(conn, _phrase_rows(_index_of(key)), _phrase(key), cost) < cost


def _driver(conn: sqlite3.Connection, plan: Plan) -> tuple[str, int]:
    """The source that costs least to read, and its cost; every other condition is checked on what it yields.

    Sources are counted up to 20,000 rows, then those not yet counted up to the cheapest known cost (at most
    200,000). A row read through an index of the documents table costs RANDOM_READ times one read through a
    full-text index, which yields rows in the table's own order.
    """
    if len(plan.drivers) == 1:
        return plan.drivers[0], PROBES[-1] * _weight(plan.drivers[0])
    costs: dict[str, int] = {}
    pending, limit = list(plan.drivers), PROBES[0]
    while True:
        for driver in pending:
            if (count := _probe(conn, plan, driver, limit)) < limit:
                costs[driver] = count * _weight(driver)
        pending = [driver for driver in pending if driver not in costs]
        best = min(costs, key=costs.__getitem__) if costs else None
        if not pending or (best and costs[best] <= limit) or limit >= PROBES[-1]:
            break
        limit = min(costs[best], PROBES[-1]) if best else PROBES[-1]
    if best is None or (pending and costs[best] > limit):
        return pending[0], limit * _weight(pending[0])  # counted no further: at least `limit`
    return best, costs[best]


def _weight(driver: str) -> int:
    return RANDOM_READ if driver == "documents" else 1


def _index_of(key: str) -> str:
    return TRIGRAMS if len(key) >= TRIGRAM else BIGRAMS


def _probe(conn: sqlite3.Connection, plan: Plan, driver: str, limit: int) -> int:
    if driver == "documents":
        inner = f"SELECT 1 FROM documents AS d WHERE {' AND '.join(plan.where.indexed)}"  # noqa: S608
        return _count(conn, inner, "", limit, plan.where.params)
    return _count(conn, _phrase_rows(driver), _match(plan, driver), limit)


def _phrase_rows(index: str) -> str:
    """The rows a full-text index yields for `:match`."""
    return f"SELECT 1 FROM {index} WHERE {index} MATCH :match"  # noqa: S608 - a fixed index name


def _count(conn: sqlite3.Connection, inner: str, match: str, limit: int, params: dict | None = None) -> int:
    """How many rows `inner` yields, counting no further than `limit`."""
    values = (params or {}) | {"match": match, "limit": limit}
    return int(conn.execute(f"SELECT count(*) FROM ({inner} LIMIT :limit)", values).fetchone()[0])  # noqa: S608


def _match(plan: Plan, driver: str) -> str:
    return plan.trigram if driver == TRIGRAMS else plan.bigram


def _matches(
    conn: sqlite3.Connection, plan: Plan, driver: str, limit: int, *, condition: str = "", key: str = ""
) -> list[tuple]:
    """Matches as the driver yields them, up to `limit`; given a key, a full-text driver reads that key's phrase."""
    params = plan.where.params | {"limit": limit, "key": key}
    if driver == "documents":
        source = "documents AS d"
    else:
        source = _fts_source(driver, scan=bool(key))
        params["match"] = _phrase(key) if key else _match(plan, driver)
    where = plan.where.sql() + (f" AND {condition}" if condition else "")
    sql = f"SELECT d.rowid, {FACET_COLUMNS} FROM {source} WHERE {where} LIMIT :limit"  # noqa: S608
    return conn.execute(sql, params).fetchall()


def _fts_source(index: str, *, scan: bool = False) -> str:
    """Rows of the documents table in the order a full-text index yields them (at most TIER_SCAN if `scan`)."""
    limit = f" LIMIT {TIER_SCAN}" if scan else ""
    fts = f"(SELECT rowid FROM {index} WHERE {index} MATCH :match{limit}) AS f"  # noqa: S608
    return f"{fts} CROSS JOIN documents AS d ON d.rowid = f.rowid"


def _page(conn: sqlite3.Connection, plan: Plan, candidates: list[int], limit: int, offset: int) -> list[SearchHit]:
    """The candidates best first: active before closed, exact before prefix before substring before one-typo."""
    if not candidates:
        return []
    params: dict[str, Any] = {"ids": json.dumps(candidates), "limit": limit, "offset": offset}
    rank = "active DESC"
    if plan.joined:
        literal = " AND ".join(f"instr(body, :w{number}) > 0" for number in range(len(plan.words)))
        rank = (
            "active DESC, CASE WHEN instr(body, :exact) > 0 THEN 0 WHEN instr(body, :prefix) > 0 THEN 1 "
            f"WHEN {literal} THEN 2 ELSE 3 END"
        )
        params |= {f"w{number}": word for number, word in enumerate(plan.words)}
        params |= {"exact": KEY_START + plan.joined + SEPARATOR, "prefix": KEY_START + plan.joined}
    sql = (
        "SELECT source FROM documents WHERE rowid IN (SELECT value FROM json_each(:ids)) "  # noqa: S608
        f"ORDER BY {rank}, sort_key, record_id LIMIT :limit OFFSET :offset"
    )
    return [SearchHit.from_fields(json.loads(row[0])) for row in conn.execute(sql, params)]


def _facets(rows: list[tuple]) -> dict[str, dict[str, int]]:
    """Counts per value of each facet among the matches read (all of them unless the total is a lower bound)."""
    facets: dict[str, dict[str, int]] = {}
    for position, column in enumerate(FACETS, start=1):
        counts = Counter(row[position] for row in rows if row[position])
        facets[column] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return facets


def _typo_candidates(conn: sqlite3.Connection, word: str) -> list[str]:
    rows = conn.execute(CANDIDATES, {"size": len(word), "word": word, "most": MAX_TYPO_CANDIDATES}).fetchall()
    return [row[0] for row in rows if row[0] != word]


def _phrase(text: str) -> str:
    """A string FTS5 matches as it is (a phrase of its trigrams, or one bigram)."""
    return '"' + text.replace('"', '""') + '"'
