"""The search box over HTTP: readable areas only, audited, Japanese messages, suggestions while typing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import pytest
from search.query.service import SearchService
from sqlalchemy import text
from tbms_contracts.patients import PatientSnapshot
from tbms_core.auth import Principal
from tbms_testing import auth_headers

IndexPatient = Callable[..., Awaitable[PatientSnapshot]]


async def search(client: httpx.AsyncClient, user: str = "nurse1", **params: object) -> httpx.Response:
    """GET /search as a demo user."""
    return await client.get("/search", params=params, headers=auth_headers(user))


@pytest.mark.req("R22", partial=True)
class TestSearch:
    """Itemless search by the people who may read patients."""

    async def test_items_carry_what_the_list_shows(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        patient = await index_patient("試験 結果", "シケン ケッカ", phone="03-5555-0199")
        response = await search(client, q=f"しけん {patient.registration_no}", type="patient")
        assert response.status_code == 200
        assert response.json() == {
            "items": [
                {
                    "record_type": "patient",
                    "id": patient.id,
                    "area": "patients",
                    "name": "試験 結果",
                    "name_kana": "シケン ケッカ",
                    "birth_date": "1970-03-01",
                    "birth_date_wareki": "昭和45年3月1日",
                    "registration_no": patient.registration_no,
                    "status": "active",
                    "excluded_on": None,
                    "sex": "female",
                    "district": "",
                    "index_patient": "",
                    "dots_type_label": "",
                    "dots_intensity": "",
                    "dots_due_on": None,
                    "highlight": {
                        "name": [["試験 結果", False]],  # found by its reading: the カナ is marked
                        "name_kana": [["シケン", True], [" ケッカ", False]],
                    },
                }
            ],
            "total": 1,
            "total_is_lower_bound": False,
            "facets": {},
            "index": {"state": "complete", "detail": "", "done": None, "total": None},
        }

    async def test_a_viewer_can_search_patients(self, client: httpx.AsyncClient, index_patient: IndexPatient) -> None:
        patient = await index_patient("試験 参照", "シケン サンショウ")
        items = (await search(client, "viewer1", q=patient.registration_no)).json()["items"]
        assert [item["id"] for item in items] == [patient.id]

    async def test_a_user_without_patients_access_finds_no_patients(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        patient = await index_patient("試験 権限", "シケン ケンゲン")
        contacts_only = Principal(
            user_id="u-contacts",
            username="contacts-only",
            display_name="接触者担当",
            roles=frozenset({"contacts:read"}),
        )
        app = client.app  # type: ignore[attr-defined]
        async with app.state.db.session() as session:
            page = await SearchService(session, contacts_only, app.state.engine).search(patient.registration_no)
        assert (page.items, page.total) == ([], 0)

    async def test_every_search_is_audited_with_its_query(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        patient = await index_patient("試験 監査", "シケン カンサ")
        query = f"監査 {patient.registration_no}"
        assert (await search(client, q=query)).status_code == 200
        async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
            rows = await session.execute(
                text("SELECT subject, payload FROM outbox WHERE payload -> 'payload' ->> 'query' = :q"), {"q": query}
            )
            [(subject, envelope)] = rows.all()
        assert subject == "tbms.audit.search.operation.recorded.v1"
        audit = envelope["payload"]
        assert (audit["operation"], audit["record_type"], audit["username"]) == ("search", "search", "nurse1")
        assert audit["detail"] == "hits=1"


class TestBadInput:
    """Queries that cannot be searched are refused in Japanese; nothing is searched."""

    async def test_a_query_empty_after_folding_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await search(client, q=" 　・ ")
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "invalid_input" and "検索する語句を入力してください" in body["errors"]["q"]

    async def test_neither_words_nor_conditions_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/search", headers=auth_headers("nurse1"))
        assert response.status_code == 422 and "検索する語句を入力してください" in response.json()["errors"]["q"]

    async def test_an_unknown_record_type_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await search(client, q="試験", type="unknown")
        assert response.status_code == 422 and response.json()["errors"] == {"type.0": "選択肢から選んでください。"}

    async def test_without_login_nothing_is_searched(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/search", params={"q": "試験"})).status_code == 401


@pytest.mark.req("R22", partial=True)
class TestSuggest:
    """Suggestions from the second character: name, カナ and 和暦 birth date, eight at most."""

    async def test_one_character_suggests_nothing(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/search/suggest", params={"q": "試"}, headers=auth_headers("nurse1"))
        assert response.status_code == 200 and response.json() == {"items": []}

    async def test_two_characters_suggest_up_to_eight(
        self, client: httpx.AsyncClient, index_patient: IndexPatient
    ) -> None:
        for _ in range(9):
            await index_patient("候補 試験", "コウホ シケン")
        response = await client.get("/search/suggest", params={"q": "こうほ"}, headers=auth_headers("nurse1"))
        items = response.json()["items"]
        assert len(items) == 8
        assert items[0]["name"] == "候補 試験" and items[0]["birth_date_wareki"] == "昭和45年3月1日"
        assert set(items[0]) == {
            "record_type",
            "id",
            "area",
            "name",
            "name_kana",
            "birth_date",
            "birth_date_wareki",
            "registration_no",
            "index_patient",
            "highlight",
        }


@pytest.mark.req("N09", partial=True)
async def test_a_control_character_in_the_search_box_is_refused_in_japanese_not_a_server_error(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/search", "/search/suggest"):
        response = await client.get(path, params={"q": "試験\x00"}, headers=auth_headers("nurse1"))
        assert response.status_code == 422, path
        assert response.json()["errors"] == {"q": "使用できない文字（制御文字）が含まれています。"}
    assert (await search(client, q="試験\t")).status_code == 200, "a tab is whitespace, not a control character here"


async def test_a_page_deeper_than_ten_thousand_is_refused_with_the_limit(client: httpx.AsyncClient) -> None:
    response = await search(client, q="試験", offset=10_001)
    assert response.status_code == 422
    assert response.json()["errors"] == {"offset": "10000以下の値を入力してください。"}
