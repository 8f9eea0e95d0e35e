"""The pickers' answers (R25): options from masters' suggestions for any logged-in user, and a chosen row's data."""

from __future__ import annotations

import httpx
import pytest
import respx

from ...conftest import MASTERS
from .conftest import CODE, INSTITUTION, BrowserAs

pytestmark = pytest.mark.req("R25", partial=True)
SUGGESTIONS = [
    {
        "code": CODE,
        "name": "世田谷中央病院",
        "kana": "セタガヤチュウオウビョウイン",
        "label": "世田谷中央病院",
        "detail": "東京都世田谷区世田谷1-2-3",
    },
    {
        "code": "1310198765",
        "name": "北沢クリニック",
        "kana": "キタザワクリニック",
        "label": "北沢クリニック",
        "detail": "",
    },
]


def suggest(masters: respx.MockRouter, kind: str = "institution") -> respx.Route:
    """masters suggests the two institutions."""
    return masters.get(f"{MASTERS}/masters/{kind}/suggest").mock(return_value=httpx.Response(200, json=SUGGESTIONS))


class TestSuggest:
    async def test_the_options_are_a_listbox_named_after_the_input_for_a_nurse_without_masters_access(
        self, browser_as: BrowserAs, masters: respx.MockRouter
    ) -> None:
        nurse = await browser_as(["patients:update"])
        route = suggest(masters)
        answer = await nurse.get("/masters/institution/suggest", params={"q": " せたがや ", "box": "f-nt-inst"})
        assert answer.status_code == 200
        assert route.calls.last.request.url.params["q"] == "せたがや"
        assert '<ul id="f-nt-inst-listbox" class="suggestions__list" role="listbox" aria-label="候補">' in answer.text
        assert (
            f'id="f-nt-inst-option-1" role="option" aria-selected="false" data-code="{CODE}" data-name="世田谷中央病院"'
            in answer.text
        )
        assert "東京都世田谷区世田谷1-2-3" in answer.text and 'id="f-nt-inst-option-2"' in answer.text

    async def test_doctors_are_narrowed_to_the_chosen_institution(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = suggest(masters, "doctor")
        await reader.get("/masters/doctor/suggest", params={"q": "見本", "ref": CODE, "box": "f-nt-doc"})
        assert route.calls.last.request.url.params["ref"] == CODE

    async def test_nothing_typed_asks_nothing_and_a_strange_box_id_is_not_echoed(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = suggest(masters)
        empty = await reader.get("/masters/institution/suggest", params={"q": "  "})
        assert not route.called and "option" not in empty.text
        odd = await reader.get("/masters/institution/suggest", params={"q": "世田谷", "box": '"><script>'})
        assert 'id="picker-option-1"' in odd.text and "<script>" not in odd.text.split("<body")[-1]

    async def test_no_match_and_a_failure_are_said_in_the_list(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = masters.get(f"{MASTERS}/masters/institution/suggest").mock(return_value=httpx.Response(200, json=[]))
        assert "一致する候補はありません。" in (await reader.get("/masters/institution/suggest?q=zz")).text
        route.mock(return_value=httpx.Response(503))
        failed = await reader.get("/masters/institution/suggest?q=zz")
        assert failed.status_code == 200 and "候補を表示できませんでした。そのまま入力を続けられます。" in failed.text


class TestPicked:
    async def test_the_chosen_rows_data_fills_the_form(self, browser_as: BrowserAs, masters: respx.MockRouter) -> None:
        nurse = await browser_as(["patients:update"])
        answer = await nurse.get("/masters/institution/picked", params={"code": CODE})
        assert answer.status_code == 200
        assert answer.json() == {k: INSTITUTION[k] for k in ("code", "name", "kana", "data")}

    async def test_an_unknown_row_is_not_found(self, reader: httpx.AsyncClient, masters: respx.MockRouter) -> None:
        masters.get(f"{MASTERS}/masters/institution/0000000000").mock(return_value=httpx.Response(404, json={}))
        assert (await reader.get("/masters/institution/picked?code=0000000000")).status_code == 404
