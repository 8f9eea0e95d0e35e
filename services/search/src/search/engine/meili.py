"""The Meilisearch adapter: the same engine protocol over Meilisearch's HTTP API (production).

Every condition of the advanced search becomes a filter, facet counts come from `facetDistribution`, the
matched words from `_formatted`, and the readable areas are a filter no request goes without.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import httpx

from search.engine.base import IndexState, IndexStatus, SearchDocument, SearchHit, SearchQuery, SearchResult
from search.engine.meili_query import PRIMARY_KEY, index_settings, read_result, search_body, to_meili
from search.engine.terms import parse_query

log = logging.getLogger(__name__)
SUGGEST_LIMIT = 8
FINISHED = {"succeeded", "failed", "canceled"}
REINDEX_ADVICE = "run `tbms search reindex` to rebuild it from the owning services"


class MeiliError(RuntimeError):
    """Meilisearch refused a request or a task failed."""


class MeiliEngine:
    """Talks to one Meilisearch index; writes wait for their task so a failure reaches the consumer.

    The index lives on the server, so a new schema here is only new settings, which Meilisearch applies to
    the documents it holds. The rebuild state is this process's own: a restart during `tbms search reindex`
    forgets it (the command's own output still tells).
    """

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
        self._status = IndexStatus(IndexState.COMPLETE)

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

    async def status(self) -> IndexStatus:
        """Complete unless this process saw the index lost or is being rebuilt."""
        return self._status

    async def check_against_ledger(self, indexed_records: int) -> None:
        """An empty index while the ledger remembers indexed records means the server lost its data."""
        if not indexed_records:
            return
        stats = await self._call("GET", f"/indexes/{self.uid}/stats")
        if not stats.get("numberOfDocuments"):
            detail = f"Meilisearch holds no documents but {indexed_records} records were indexed: {REINDEX_ADVICE}"
            self._status = IndexStatus(IndexState.NEEDS_REINDEX, detail=detail)
            log.error("search index %s needs a rebuild: %s", self.uid, detail)

    async def index(self, document: SearchDocument, *, refresh: bool = False) -> bool:
        """Adds or replaces the document unless Meilisearch holds a newer version (or the same, unless `refresh`)."""
        await self.start()  # events may arrive before the app's startup hook has run
        held = await self._held_version(f"{document.record_type}-{document.id}")
        if held is not None and (held > document.version or (held == document.version and not refresh)):
            return False
        task = await self._call(
            "POST", f"/indexes/{self.uid}/documents", params={"primaryKey": PRIMARY_KEY}, json=[to_meili(document)]
        )
        await self._wait(task["taskUid"])
        return True

    async def clear(self) -> None:
        """Removes every document."""
        task = await self._call("DELETE", f"/indexes/{self.uid}/documents")
        await self._wait(task["taskUid"])

    async def begin_rebuild(self) -> None:
        """Empties the index before `tbms search reindex` feeds every record in again."""
        await self.clear()
        self._status = IndexStatus(IndexState.REBUILDING, detail="tbms search reindex is running")

    async def finish_rebuild(self) -> None:
        """Marks the index complete."""
        self._status = IndexStatus(IndexState.COMPLETE)

    async def delete(self, record_type: str, record_id: str) -> None:
        """Removes a record from the index."""
        task = await self._call("DELETE", f"/indexes/{self.uid}/documents/{record_type}-{record_id}")
        await self._wait(task["taskUid"])

    async def search(self, query: SearchQuery) -> SearchResult:
        """Records matching the folded words and every condition, inside the readable areas only."""
        terms = parse_query(query.text)
        if (terms.empty and query.filters.empty) or not query.areas:
            return SearchResult(hits=[], total=0)
        return read_result(await self._call("POST", f"/indexes/{self.uid}/search", json=search_body(query, terms)))

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
