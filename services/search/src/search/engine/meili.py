"""The Meilisearch adapter: the same engine protocol over Meilisearch's HTTP API (production)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx
from tbms_core.errors import InvalidInput
from tbms_core.jp.text import VARIANT_FOLDING, digits_only

from search.engine.base import SearchDocument, SearchFilters, SearchHit, SearchQuery, SearchResult
from search.engine.terms import QueryTerms, birth_tokens, fold, parse_query

SUGGEST_LIMIT = 8
PRIMARY_KEY = "uid"
HIT_FIELDS = [
    "record_type",
    "id",
    "area",
    "name",
    "name_kana",
    "birth_date",
    "registration_no",
    "status",
    "excluded_on",
]
FINISHED = {"succeeded", "failed", "canceled"}


class MeiliError(RuntimeError):
    """Meilisearch refused a request or a task failed."""


class UnsupportedConditions(InvalidInput):
    """The Meilisearch adapter does not filter by status, district, nurse, sex or dates yet (embedded does)."""

    message = "この検索エンジンでは種別以外の条件による絞り込みはまだ利用できません。"


def index_settings() -> dict[str, Any]:
    """Searchable and filterable fields, Japanese tokenisation of name fields, 異体字 synonyms."""
    return {
        "searchableAttributes": [
            "name_key",
            "kana_key",
            "name",
            "name_kana",
            "registration_no",
            "keys",
            "address_key",
        ],
        "filterableAttributes": ["area", "record_type", "birth_year", "birth_date", "active"],
        "sortableAttributes": ["kana_key"],
        # active records before excluded ones, then Meilisearch's relevance
        "rankingRules": ["active:desc", "words", "typo", "proximity", "attribute", "sort", "exactness"],
        "localizedAttributes": [
            {"locales": ["jpn"], "attributePatterns": ["name", "name_kana", "name_key", "kana_key", "address_key"]}
        ],
        "synonyms": variant_synonyms(),
        "typoTolerance": {"disableOnAttributes": ["registration_no", "keys"]},
    }


def variant_synonyms() -> dict[str, list[str]]:
    """Each 異体字 and its common form as mutual synonyms (髙 ↔ 高), for raw names Meilisearch tokenises."""
    synonyms: dict[str, list[str]] = {}
    for variant, common in VARIANT_FOLDING.items():
        synonyms.setdefault(variant, []).append(common)
        synonyms.setdefault(common, []).append(variant)
    return synonyms


def to_meili(document: SearchDocument) -> dict[str, Any]:
    """The JSON document Meilisearch stores: display fields plus folded keys."""
    birth = document.birth_date
    keys = [fold(document.registration_no), digits_only(document.phone), digits_only(document.postal_code)]
    return {
        PRIMARY_KEY: f"{document.record_type}-{document.id}",
        **document.hit_fields(),
        "version": document.version,
        "active": int(document.active),
        "birth_year": birth.year if birth else None,
        "name_key": fold(document.name),
        "kana_key": fold(document.name_kana),
        "keys": [key for key in dict.fromkeys([*keys, *birth_tokens(birth)]) if key],
        "address_key": fold(document.address),
    }


def filter_expression(query: SearchQuery, terms: QueryTerms) -> str:
    """The filter that limits a search to readable areas and applies the year and date terms."""
    areas = ", ".join(_quote(area) for area in query.areas)
    clauses = [f"area IN [{areas}]"]
    if query.record_type:
        clauses.append(f"record_type = {_quote(query.record_type)}")
    if query.filters.record_types:
        clauses.append(f"record_type IN [{', '.join(_quote(kind) for kind in query.filters.record_types)}]")
    if replace(query.filters, record_types=()) != SearchFilters():
        raise UnsupportedConditions()
    clauses += [f"birth_year = {year}" for year in terms.birth_years]
    clauses += [f"birth_date = {_quote(day.isoformat())}" for day in terms.birth_dates]
    return " AND ".join(clauses)


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


class MeiliEngine:
    """Talks to one Meilisearch index; writes wait for their task so a failure reaches the consumer."""

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        index: str = "records",
        client: httpx.AsyncClient | None = None,
        task_timeout: float = 10.0,
        poll_interval: float = 0.05,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = client or httpx.AsyncClient(base_url=url.rstrip("/"), headers=headers, timeout=10)
        self.uid, self.task_timeout, self.poll_interval = index, task_timeout, poll_interval
        self._started, self._starting = False, asyncio.Lock()

    async def start(self) -> None:
        """Creates the index if needed and applies its settings (once per process)."""
        async with self._starting:
            if not self._started:
                await self._prepare()
                self._started = True

    async def _prepare(self) -> None:
        created = await self._call("POST", "/indexes", json={"uid": self.uid, "primaryKey": PRIMARY_KEY})
        await self._wait(created["taskUid"], tolerate={"index_already_exists"})
        updated = await self._call("PATCH", f"/indexes/{self.uid}/settings", json=index_settings())
        await self._wait(updated["taskUid"])

    async def close(self) -> None:
        """Closes the HTTP client."""
        await self.client.aclose()

    async def index(self, document: SearchDocument) -> bool:
        """Adds or replaces the document unless Meilisearch holds the same or a newer version."""
        await self.start()  # events may arrive before the app's startup hook has run
        held = await self._held_version(f"{document.record_type}-{document.id}")
        if held is not None and held >= document.version:
            return False
        task = await self._call(
            "POST", f"/indexes/{self.uid}/documents", params={"primaryKey": PRIMARY_KEY}, json=[to_meili(document)]
        )
        await self._wait(task["taskUid"])
        return True

    async def clear(self) -> None:
        """Removes every document, before a rebuild from the owning services."""
        task = await self._call("DELETE", f"/indexes/{self.uid}/documents")
        await self._wait(task["taskUid"])

    async def delete(self, record_type: str, record_id: str) -> None:
        """Removes a record from the index."""
        task = await self._call("DELETE", f"/indexes/{self.uid}/documents/{record_type}-{record_id}")
        await self._wait(task["taskUid"])

    async def search(self, query: SearchQuery) -> SearchResult:
        """Records matching the folded words inside the readable areas."""
        terms = parse_query(query.text)
        if (terms.empty and query.filters.empty) or not query.areas:
            return SearchResult(hits=[], total=0)
        body = {
            "q": " ".join(terms.words),
            "filter": filter_expression(query, terms),
            "limit": query.limit,
            "offset": query.offset,
            "locales": ["jpn"],
            "attributesToRetrieve": HIT_FIELDS,
        }
        found = await self._call("POST", f"/indexes/{self.uid}/search", json=body)
        hits = [SearchHit.from_fields(hit) for hit in found["hits"]]
        return SearchResult(hits=hits, total=int(found.get("estimatedTotalHits", found.get("totalHits", 0))))

    async def suggest(self, query: SearchQuery) -> list[SearchHit]:
        """The first few matches for the search box's drop-down."""
        limited = replace(query, limit=SUGGEST_LIMIT, offset=0, facets=False)
        return (await self.search(limited)).hits

    async def _held_version(self, uid: str) -> int | None:
        response = await self.client.get(f"/indexes/{self.uid}/documents/{uid}", params={"fields": "version"})
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        return int(_json(response)["version"])

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return _json(await self.client.request(method, path, **kwargs))

    async def _wait(self, task_uid: int, *, tolerate: Sequence[str] = ()) -> None:
        """Polls a task until it finishes; raises when it failed (unless its error code is tolerated)."""
        deadline = time.monotonic() + self.task_timeout
        while True:
            task = await self._call("GET", f"/tasks/{task_uid}")
            if task["status"] in FINISHED:
                break
            if time.monotonic() > deadline:
                raise MeiliError(f"Meilisearch task {task_uid} still {task['status']}")
            await asyncio.sleep(self.poll_interval)
        error = task.get("error") or {}
        if task["status"] != "succeeded" and error.get("code") not in tolerate:
            raise MeiliError(f"Meilisearch task {task_uid} {task['status']}: {error.get('message', '')}")


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.is_error:
        raise MeiliError(f"Meilisearch answered {response.status_code}: {response.text[:500]}")
    return response.json()
