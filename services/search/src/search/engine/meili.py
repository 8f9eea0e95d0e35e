"""The Meilisearch adapter: the same engine protocol over Meilisearch's HTTP API (production).

Every condition of the advanced search becomes a filter, facet counts come from `facetDistribution`, the
matched words from `_formatted`, and the readable areas are a filter no request goes without.

`tbms search reindex` fills a new index (`records__rebuild_<id>`, same settings) while the live one keeps
serving; events go to both, and `POST /swap-indexes` swaps the finished one in before the old one is deleted.
Which rebuild is running is recorded in the search database, so every search process writes to the same pair.
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


class IndexGone(MeiliError):
    """The index does not exist (a rebuild's index after its swap or abandonment)."""


class MeiliEngine:
    """Talks to one Meilisearch index; writes wait for their task so a failure reaches the consumer.

    The index lives on the server, so a new schema here is only new settings, which Meilisearch applies to
    the documents it holds. A lost index (`needs_reindex`) is this process's own finding; the state of a rebuild
    lives in the search database (see `search.rebuild`), which tells each process the index to write events to.
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
        self._rebuild: str | None = None  # the uid of a running rebuild's index: events go there too

    def rebuild_uid(self, rebuild_id: str) -> str:
        """The uid of a rebuild's index beside the live one."""
        return f"{self.uid}__rebuild_{rebuild_id}"

    async def start(self) -> None:
        """Creates the index if needed and applies its settings (once per process)."""
        async with self._starting:
            if not self._started:
                await self._prepare()
                self._started = True

    async def _prepare(self, uid: str | None = None) -> None:
        uid = uid or self.uid
        created = await self._call("POST", "/indexes", json={"uid": uid, "primaryKey": PRIMARY_KEY})
        await self._wait(created["taskUid"], tolerate={"index_already_exists"})
        updated = await self._call("PATCH", f"/indexes/{uid}/settings", json=index_settings())
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
        """Adds or replaces the document unless Meilisearch holds a newer version (or the same, unless `refresh`);
        during a rebuild in its index too."""
        await self.start()  # events may arrive before the app's startup hook has run
        applied = await self._put(self.uid, document, refresh=refresh)
        if self._rebuild is not None:
            await self._put(self._rebuild, document, refresh=refresh)
        return bool(applied)

    async def clear(self) -> None:
        """Removes every document."""
        task = await self._call("DELETE", f"/indexes/{self.uid}/documents")
        await self._wait(task["taskUid"])

    async def begin_rebuild(self, rebuild_id: str) -> None:
        """Creates the rebuild's index with the live one's settings; events go to both from now on."""
        await self.start()
        uid = self.rebuild_uid(rebuild_id)
        await self._prepare(uid)
        self._rebuild = uid

    async def follow_rebuild(self, rebuild_id: str | None) -> bool:
        """Writes events to that rebuild's index too, or to the live one only (None); no request is sent."""
        self._rebuild = None if rebuild_id is None else self.rebuild_uid(rebuild_id)
        return True

    async def index_rebuilt(self, document: SearchDocument) -> bool:
        """Adds a rebuild page's document to the rebuild's index unless it holds a newer version.

        A record deleted during the rebuild is refused before it gets here: the ledger keeps its tombstone.
        """
        if self._rebuild is None:
            raise MeiliError("no rebuild of the search index is running")
        uid = self._rebuild
        applied = await self._put(uid, document, refresh=False)
        if applied is None:
            raise MeiliError(f"the rebuild's index {uid} no longer exists")
        return applied

    async def finish_rebuild(self, rebuild_id: str | None = None) -> None:
        """Swaps the rebuild's index in (one Meilisearch task), then deletes the old one, now under the other uid."""
        if rebuild_id is not None:
            uid = self.rebuild_uid(rebuild_id)
            swap = await self._call("POST", "/swap-indexes", json=[{"indexes": [self.uid, uid]}])
            await self._wait(swap["taskUid"])
            self._rebuild = None
            await self._drop(uid)
            log.warning("search index rebuild %s swapped in as %s", rebuild_id, self.uid)
        self._status = IndexStatus(IndexState.COMPLETE)

    async def abandon_rebuild(self, rebuild_id: str) -> None:
        """Deletes the rebuild's index; the live one is untouched."""
        uid = self.rebuild_uid(rebuild_id)
        if self._rebuild == uid:
            self._rebuild = None
        await self._drop(uid)

    async def discard_stray_rebuilds(self, keep: str | None) -> None:
        """Nothing: another search process may be creating a rebuild's index just now (see `abandon_rebuild`)."""

    async def delete(self, record_type: str, record_id: str) -> None:
        """Removes a record from the index (and from a running rebuild's)."""
        task = await self._call("DELETE", f"/indexes/{self.uid}/documents/{record_type}-{record_id}")
        await self._wait(task["taskUid"])
        if self._rebuild is not None:
            task = await self._call("DELETE", f"/indexes/{self._rebuild}/documents/{record_type}-{record_id}")
            await self._wait(task["taskUid"], tolerate={"index_not_found"})

    async def _put(self, uid: str, document: SearchDocument, *, refresh: bool) -> bool | None:
        """Sends the document to one index unless it holds a newer version; None when a rebuild's index is gone
        (swapped in and deleted, or abandoned, by another process): it is not created again."""
        try:
            held = await self._held_version(uid, f"{document.record_type}-{document.id}")
        except IndexGone:
            if uid == self.uid:
                held = None  # the live index is created by the addition, as on a first start
            else:
                self._rebuild = None if self._rebuild == uid else self._rebuild
                return None
        if held is not None and (held > document.version or (held == document.version and not refresh)):
            return False
        task = await self._call(
            "POST", f"/indexes/{uid}/documents", params={"primaryKey": PRIMARY_KEY}, json=[to_meili(document)]
        )
        await self._wait(task["taskUid"])
        return True

    async def _drop(self, uid: str) -> None:
        task = await self._call("DELETE", f"/indexes/{uid}")
        await self._wait(task["taskUid"], tolerate={"index_not_found"})

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

    async def _held_version(self, index: str, uid: str) -> int | None:
        response = await self.client.get(f"/indexes/{index}/documents/{uid}", params={"fields": "version"})
        if response.status_code == httpx.codes.NOT_FOUND:
            if _code(response) == "index_not_found":
                raise IndexGone(index)
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


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""
