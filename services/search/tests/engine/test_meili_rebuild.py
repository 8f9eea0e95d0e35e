"""The Meilisearch adapter's rebuild into a new index uid, swapped in by `POST /swap-indexes` (R28).

No Meilisearch runs here: a small fake of its HTTP API (indexes, documents, tasks, swap) answers instead, so the
test can say what each index holds after every step, not only which requests were sent.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
import respx
from search.engine.base import IndexState
from search.engine.meili import MeiliEngine
from search.engine.meili_query import index_settings

from .test_meili import KEY, URL, patient

LIVE, NEW = "records", "records__rebuild_abc123"


class FakeMeili:
    """Indexes of documents by uid, tasks that succeed or fail at once, and a log of every request."""

    def __init__(self) -> None:
        self.indexes: dict[str, dict[str, dict[str, Any]]] = {}
        self.settings: dict[str, dict[str, Any]] = {}
        self.tasks: list[dict[str, Any]] = []
        self.log: list[str] = []
        self.bodies: dict[str, Any] = {}  # the last body sent to each path

    def __call__(self, request: httpx.Request) -> httpx.Response:
        method, parts = request.method, request.url.path.strip("/").split("/")
        body = json.loads(request.content) if request.content else None
        if parts[0] != "tasks":  # polling is the adapter's own business
            self.log.append(f"{method} {request.url.path}")
            self.bodies[request.url.path] = body
        if parts[0] == "tasks":
            return httpx.Response(200, json=self.tasks[int(parts[1])])
        if parts == ["swap-indexes"]:
            first, second = body[0]["indexes"]
            self.indexes[first], self.indexes[second] = self.indexes[second], self.indexes[first]
            return self._task()
        if parts == ["indexes"]:
            if body["uid"] in self.indexes:
                return self._task("index_already_exists")
            self.indexes[body["uid"]] = {}
            return self._task()
        uid, rest = parts[1], parts[2:]
        if rest == [] and method == "DELETE":
            return self._task() if self.indexes.pop(uid, None) is not None else self._task("index_not_found")
        if rest == ["settings"]:
            self.settings[uid] = body
            return self._task()
        if rest == ["documents"] and method == "POST":
            documents = self.indexes.setdefault(uid, {})  # Meilisearch creates a missing index on addition
            documents.update({document["uid"]: document for document in body})
            return self._task()
        key = rest[1]
        if uid not in self.indexes:
            if method == "GET":
                return httpx.Response(404, json={"code": "index_not_found", "message": f"Index `{uid}` not found."})
            return self._task("index_not_found")
        if method == "GET":
            if key not in self.indexes[uid]:
                return httpx.Response(404, json={"code": "document_not_found", "message": "not found"})
            return httpx.Response(200, json={"version": self.indexes[uid][key]["version"]})
        self.indexes[uid].pop(key, None)
        return self._task()

    def _task(self, error: str | None = None) -> httpx.Response:
        uid = len(self.tasks)
        failure = {"code": error, "message": error} if error else None
        self.tasks.append({"uid": uid, "status": "failed" if error else "succeeded", "error": failure})
        return httpx.Response(202, json={"taskUid": uid, "status": "enqueued"})

    def versions(self, uid: str) -> dict[str, int]:
        """What one index holds: version per document."""
        return {key: document["version"] for key, document in self.indexes[uid].items()}


@pytest.fixture
def meili() -> Iterator[FakeMeili]:
    """Routes every request to the Meilisearch URL to the fake."""
    fake = FakeMeili()
    with respx.mock(base_url=URL, assert_all_called=False) as router:
        router.route().mock(side_effect=fake)
        yield fake


@pytest.fixture
async def engine(meili: FakeMeili) -> AsyncIterator[MeiliEngine]:
    """A started adapter whose live index holds the synthetic patient (version 2)."""
    engine = MeiliEngine(URL, api_key=KEY, index=LIVE, poll_interval=0)
    await engine.index(patient(version=2))
    meili.log.clear()
    yield engine
    await engine.close()


PATIENT = f"patient-{patient().id}"


@pytest.mark.req("R28", "R22", partial=True)
class TestRebuildIntoANewIndex:
    """The live index serves unchanged while the new uid is filled, and events reach both."""

    async def test_the_new_uid_is_created_with_the_live_settings(self, engine: MeiliEngine, meili: FakeMeili) -> None:
        await engine.begin_rebuild("abc123")
        assert meili.log[:2] == ["POST /indexes", f"PATCH /indexes/{NEW}/settings"]
        assert meili.settings[NEW] == meili.settings[LIVE] == index_settings()
        assert meili.versions(NEW) == {} and meili.versions(LIVE) == {PATIENT: 2}

    async def test_events_go_to_both_and_a_page_never_undoes_one(self, engine: MeiliEngine, meili: FakeMeili) -> None:
        await engine.begin_rebuild("abc123")
        assert await engine.index(patient(version=3))  # an event during the rebuild
        assert meili.versions(LIVE) == meili.versions(NEW) == {PATIENT: 3}
        assert not await engine.index_rebuilt(patient(version=2))  # a page read before the event
        other = replace(patient(version=1), id="0c2f1d3e-0000-4b7e-9a51-000000000001")
        assert await engine.index_rebuilt(other)  # a page's record goes to the new index only
        assert f"patient-{other.id}" in meili.versions(NEW) and f"patient-{other.id}" not in meili.versions(LIVE)
        await engine.delete("patient", other.id)
        assert f"patient-{other.id}" not in meili.versions(NEW)

    async def test_finish_swaps_the_indexes_and_deletes_the_old_one(
        self, engine: MeiliEngine, meili: FakeMeili
    ) -> None:
        await engine.begin_rebuild("abc123")
        other = replace(patient(version=1), id="0c2f1d3e-0000-4b7e-9a51-000000000002")
        await engine.index_rebuilt(other)
        meili.log.clear()
        await engine.finish_rebuild("abc123")
        assert meili.log == ["POST /swap-indexes", f"DELETE /indexes/{NEW}"]
        assert meili.bodies["/swap-indexes"] == [{"indexes": [LIVE, NEW]}]
        assert meili.versions(LIVE) == {f"patient-{other.id}": 1} and NEW not in meili.indexes
        assert (await engine.status()).state is IndexState.COMPLETE
        await engine.index(patient(version=4))  # events go to the live index only again
        assert NEW not in meili.indexes

    async def test_abandon_deletes_the_new_uid_and_leaves_the_live_index(
        self, engine: MeiliEngine, meili: FakeMeili
    ) -> None:
        await engine.begin_rebuild("abc123")
        await engine.abandon_rebuild("abc123")
        assert f"DELETE /indexes/{NEW}" in meili.log and NEW not in meili.indexes
        assert meili.versions(LIVE) == {PATIENT: 2}
        await engine.abandon_rebuild("abc123")  # again (another process did it first): nothing fails

    async def test_a_process_following_a_rebuild_another_one_ended_does_not_create_it_again(
        self, engine: MeiliEngine, meili: FakeMeili
    ) -> None:
        await engine.follow_rebuild("abc123")  # the database says it runs; another process swapped it meanwhile
        assert await engine.index(patient(version=3))
        await engine.delete("patient", "someone-else")
        assert NEW not in meili.indexes and meili.versions(LIVE) == {PATIENT: 3}
