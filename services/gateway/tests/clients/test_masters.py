"""masters as the gateway calls it: the districts (kept a minute, none while masters is away), the kinds, changes
with their version, refusals under the forms' names, uploads and suggestions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
import respx
from gateway.clients.base import ReferenceCache
from gateway.clients.masters import DISTRICTS_TTL_SECONDS, KINDS_TTL_SECONDS, MastersClient
from gateway.web.errors import PageNotFound

from ..conftest import DISTRICTS, MASTERS


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The gateway's shared HTTP client."""
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


def masters(http: httpx.AsyncClient, cache: ReferenceCache) -> MastersClient:
    """masters as a nurse calling from 192.0.2.10."""
    return MastersClient(http, MASTERS, token="a-token", client_ip="192.0.2.10", cache=cache)


class TestDistricts:
    async def test_the_names_come_in_masters_order_asked_with_the_users_token(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        assert await masters(http, ReferenceCache()).districts() == tuple(DISTRICTS)
        sent = backends.routes["districts"].calls.last.request
        assert sent.headers["authorization"] == "Bearer a-token" and sent.headers["x-forwarded-for"] == "192.0.2.10"

    async def test_they_are_kept_for_a_minute_then_read_again(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        cache = ReferenceCache()
        await masters(http, cache).districts()
        await masters(http, cache).districts()
        assert backends.routes["districts"].call_count == 1
        assert DISTRICTS_TTL_SECONDS == 60
        cache.entries = {key: (0.0, value) for key, (_, value) in cache.entries.items()}  # the minute is over
        await masters(http, cache).districts()
        assert backends.routes["districts"].call_count == 2

    @pytest.mark.parametrize(
        "failure",
        [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(503), httpx.Response(401)],
    )
    async def test_while_masters_cannot_answer_there_are_none_and_the_next_page_asks_again(
        self, http: httpx.AsyncClient, backends: respx.MockRouter, failure: object
    ) -> None:
        route = backends.routes["districts"]
        if isinstance(failure, Exception):
            route.mock(side_effect=failure)
        else:
            route.mock(return_value=failure)
        cache = ReferenceCache()
        assert await masters(http, cache).districts() == ()
        assert await masters(http, cache).districts() == ()
        assert route.call_count == 2

    async def test_an_answer_of_another_shape_counts_as_none(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.routes["districts"].mock(return_value=httpx.Response(200, json={"items": "?"}))
        assert await masters(http, ReferenceCache()).districts() == ()


KIND = {"kind": "institution", "label": "医療機関", "code_label": "医療機関コード", "fields": []}
ROW = {"kind": "institution", "code": "1310112345", "name": "世田谷中央病院", "version": 4}
ROW_URL = f"{MASTERS}/masters/institution/1310112345"


class TestKinds:
    async def test_the_kinds_are_read_once_and_kept_for_a_few_minutes(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{MASTERS}/masters/kinds").mock(return_value=httpx.Response(200, json=[KIND]))
        cache = ReferenceCache()
        kinds = await masters(http, cache).kinds()
        assert [k.label for k in kinds] == ["医療機関"] and kinds[0].code_label == "医療機関コード"
        await masters(http, cache).kind("institution")
        assert route.call_count == 1 and KINDS_TTL_SECONDS == 300

    async def test_an_unknown_kind_is_a_missing_page(self, http: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        backends.get(f"{MASTERS}/masters/kinds").mock(return_value=httpx.Response(200, json={"items": [KIND]}))
        with pytest.raises(PageNotFound):
            await masters(http, ReferenceCache()).kind("planet")


class TestChanges:
    async def test_a_change_sends_the_version_seen_with_the_changes_and_reason(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.patch(ROW_URL).mock(return_value=httpx.Response(200, json=ROW))
        saved = await masters(http, ReferenceCache()).change_record(
            "institution", "1310112345", "3", {"phone": "03-1"}, "電話番号の変更"
        )
        assert saved.record == ROW
        assert json.loads(route.calls.last.request.content) == {
            "version": 3,
            "changes": {"phone": "03-1"},
            "reason": "電話番号の変更",
        }

    async def test_refusals_come_back_under_the_forms_names_and_a_stale_version_as_its_message(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        errors = {"changes.data.phone": "電話番号の形式", "changes.name": "名称は必須", "data.address": "所在地は必須"}
        route = backends.patch(ROW_URL).mock(return_value=httpx.Response(422, json={"detail": "x", "errors": errors}))
        client = masters(http, ReferenceCache())
        refused = await client.change_record("institution", "1310112345", 3, {}, "")
        assert refused.errors == {"phone": "電話番号の形式", "name": "名称は必須", "address": "所在地は必須"}
        route.mock(return_value=httpx.Response(409, json={"detail": "他の利用者が先に更新しました。"}))
        assert (
            await client.change_record("institution", "1310112345", 3, {}, "")
        ).conflict == "他の利用者が先に更新しました。"

    async def test_codes_keep_their_colon_in_the_path(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{MASTERS}/masters/code/occupation:01").mock(return_value=httpx.Response(200, json=ROW))
        await masters(http, ReferenceCache()).record("code", "occupation:01")
        assert route.called

    async def test_an_upload_is_sent_as_a_multipart_file(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        preview = {"id": "p1", "kind": "institution", "rows": [], "counts": {}}
        route = backends.post(f"{MASTERS}/masters/institution/imports").mock(
            return_value=httpx.Response(201, json=preview)
        )
        sent = await masters(http, ReferenceCache()).upload_import("institution", "a.csv", b"x,y\r\n", "text/csv")
        assert sent.record == preview
        body = route.calls.last.request.content
        assert b'name="file"; filename="a.csv"' in body and b"Content-Type: text/csv" in body

    async def test_suggestions_are_asked_with_the_institution_that_narrows_them(
        self, http: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{MASTERS}/masters/doctor/suggest").mock(
            return_value=httpx.Response(200, json=[{"code": "D1", "name": "見本 医師"}])
        )
        found = await masters(http, ReferenceCache()).suggest("doctor", "見本", ref="1310112345")
        assert found == [{"code": "D1", "name": "見本 医師"}]
        assert dict(route.calls.last.request.url.params) == {"q": "見本", "limit": "10", "ref": "1310112345"}
