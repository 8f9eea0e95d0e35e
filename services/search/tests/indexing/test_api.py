"""`POST /admin/reindex`: the index is rebuilt from the owners' snapshots, never the other way round."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from search.indexing.consumers import apply
from search.indexing.documents import patient_document
from tbms_contracts.patients import PatientSnapshot
from tbms_core.clock import today
from tbms_testing import auth_headers
from tbms_tools.reindex import rebuild


def snapshot(number: str, name: str = "再構築 試験", version: int = 1, **fields: object) -> dict:
    """A patient snapshot as `GET /patients` returns it."""
    values = {
        "id": str(uuid.uuid4()),
        "version": version,
        "registration_no": number,
        "registered_on": "2026-11-01",
        "category": "patient",
        "name": name,
        "name_kana": "サイコウチク シケン",
        "sex": "male",
        "birth_date": "1970-03-01",
    }
    return values | fields


def number() -> str:
    """A 登録番号 used by no other test."""
    return f"7{uuid.uuid4().int % 10**8:08d}"


async def found(client: httpx.AsyncClient, query: str) -> list[dict]:
    """What an administrator finds for a query."""
    response = await client.get("/search", params={"q": query}, headers=auth_headers("admin1"))
    return response.json()["items"]


@pytest.mark.req("R22", partial=True)
class TestReindex:
    """An administrator (監査 and 患者管理 参照) feeds every patient in again, page by page."""

    async def test_pages_of_snapshots_become_searchable_with_their_optional_numbers(
        self, client: httpx.AsyncClient
    ) -> None:
        first, kohi = number(), f"1{uuid.uuid4().int % 10**7:07d}"
        batch = {"patients": [snapshot(first, kohi_jukyusha_no=kohi, diagnosed_on="2026-10-01")]}
        response = await client.post("/admin/reindex", json=batch, headers=auth_headers("admin1"))
        assert response.status_code == 200
        assert response.json() == {"received": 1, "indexed": 1, "current": 0, "skipped": 0}
        assert [item["registration_no"] for item in await found(client, kohi)] == [first]
        again = await client.post("/admin/reindex", json=batch, headers=auth_headers("admin1"))
        assert again.json() == {"received": 1, "indexed": 0, "current": 1, "skipped": 0}  # already held

    async def test_a_nurse_without_audit_access_may_not_rebuild(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/admin/reindex", json={"patients": []}, headers=auth_headers("nurse1"))
        assert response.status_code == 403 and "監査" in response.json()["detail"]


@pytest.mark.req("R22", partial=True)
class TestConditionsOverHttp:
    """The advanced search's conditions and facet counts through the API."""

    async def test_conditions_alone_or_with_words_narrow_the_results_and_count_facets(
        self, client: httpx.AsyncClient
    ) -> None:
        district = f"地区{uuid.uuid4().hex[:6]}"
        young = snapshot(number(), district=district, birth_date="2000-01-01", sex="female")
        old = snapshot(number(), district=district, birth_date="1950-01-01")
        await client.post("/admin/reindex", json={"patients": [young, old]}, headers=auth_headers("admin1"))
        params = {"district": district, "facets": "true"}
        body = (await client.get("/search", params=params, headers=auth_headers("nurse1"))).json()
        assert body["total"] == 2 and body["facets"]["sex"] == {"female": 1, "male": 1}
        age = (today().year - 2000) - 1
        params |= {"age_max": str(age + 1), "q": "さいこうちく"}
        body = (await client.get("/search", params=params, headers=auth_headers("nurse1"))).json()
        assert [item["id"] for item in body["items"]] == [young["id"]]
        assert body["items"][0]["highlight"]["name_kana"][0] == ["サイコウチク", True]


class AsgiBridge(httpx.BaseTransport):
    """Lets the synchronous `tbms search reindex` (in a worker thread) call the in-process search service."""

    def __init__(self, client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop) -> None:
        self.client, self.loop = client, loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Sends the request through the async client on the test's event loop."""
        return asyncio.run_coroutine_threadsafe(self._send(request), self.loop).result(timeout=60)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self.client.request(
            request.method, request.url.path, content=request.content, headers=dict(request.headers)
        )
        return httpx.Response(response.status_code, headers=response.headers, content=response.content)


@pytest.mark.req("R22", partial=True)
class TestRebuildWhileStaffWork:
    """`tbms search reindex` while a patient is being corrected: the correction is not lost."""

    async def test_a_change_indexed_between_reading_a_page_and_posting_it_survives_the_rebuild(
        self, client: httpx.AsyncClient
    ) -> None:
        registered = snapshot(number(), name="再構築 旧姓")
        corrected = registered | {"version": 2, "name": "再構築 新姓"}
        app, loop = client.app, asyncio.get_running_loop()  # type: ignore[attr-defined]

        async def consume(raw: dict) -> None:
            async with app.state.db.session() as session:
                await apply(session, app.state.engine, patient_document(PatientSnapshot.model_validate(raw), raw))

        await consume(registered)

        def patients_page(request: httpx.Request) -> httpx.Response:
            page = {"items": [registered], "total": 1}  # read before the correction was committed
            asyncio.run_coroutine_threadsafe(consume(corrected), loop).result(timeout=30)  # its event, indexed
            return httpx.Response(200, json=page)

        headers = auth_headers("admin1")
        with (
            httpx.Client(base_url="http://patients", transport=httpx.MockTransport(patients_page)) as patients,
            httpx.Client(base_url="http://search", transport=AsgiBridge(client, loop), headers=headers) as search,
        ):
            progress = await asyncio.to_thread(rebuild, patients, search, report=lambda _: None)
        assert (progress.indexed, progress.skipped) == (0, 1)  # the page's older version was refused
        assert [item["name"] for item in await found(client, registered["registration_no"])] == ["再構築 新姓"]
        status = (await client.get("/health/ready")).json()
        assert (status["status"], status["index"]["state"], status["index"]["detail"]) == ("ok", "complete", "")
        assert (status["index"]["rebuild"]["state"], status["index"]["rebuild"]["records_sent"]) == ("finished", 1)
