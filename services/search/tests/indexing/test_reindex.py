"""`POST /admin/reindex`: the index is rebuilt from the owners' snapshots, never the other way round."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from tbms_testing import auth_headers


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


@pytest.mark.req("R22")
class TestReindex:
    """An administrator (監査 and 患者管理 参照) feeds every patient in again, page by page."""

    async def test_pages_of_snapshots_become_searchable_with_their_optional_numbers(
        self, client: httpx.AsyncClient
    ) -> None:
        first, kohi = number(), f"1{uuid.uuid4().int % 10**7:07d}"
        batch = {"patients": [snapshot(first, kohi_jukyusha_no=kohi, diagnosed_on="2026-10-01")]}
        response = await client.post("/admin/reindex", json=batch, headers=auth_headers("admin1"))
        assert response.status_code == 200 and response.json() == {"received": 1, "indexed": 1}
        assert [item["registration_no"] for item in await found(client, kohi)] == [first]
        again = await client.post("/admin/reindex", json=batch, headers=auth_headers("admin1"))
        assert again.json() == {"received": 1, "indexed": 0}  # the same version is already held

    async def test_a_nurse_without_audit_access_may_not_rebuild(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/admin/reindex", json={"patients": []}, headers=auth_headers("nurse1"))
        assert response.status_code == 403 and "監査" in response.json()["detail"]


@pytest.mark.req("R22")
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
        age = (date.today().year - 2000) - 1
        params |= {"age_max": str(age + 1), "q": "さいこうちく"}
        body = (await client.get("/search", params=params, headers=auth_headers("nurse1"))).json()
        assert [item["id"] for item in body["items"]] == [young["id"]]
        assert body["items"][0]["highlight"]["name_kana"][0] == ["サイコウチク", True]
