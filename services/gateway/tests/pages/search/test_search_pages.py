"""The search pages against a fake search service: header combobox, results with marks and facets, 詳細検索."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import respx

from ...conftest import SEARCH, Login

PATIENT_ID = "5b0f7c2e-8d0b-4c55-9a35-0d7a4c1f0a11"
ITEM = {
    "record_type": "patient",
    "id": PATIENT_ID,
    "area": "patients",
    "name": "田中 太郎",
    "name_kana": "タナカ タロウ",
    "birth_date": "1970-03-01",
    "birth_date_wareki": "昭和45年3月1日",
    "registration_no": "2026-00001",
    "status": "active",
    "highlight": {"name": [["田中", True], [" 太郎", False]], "name_kana": [["タナカ", True], [" タロウ", False]]},
}
FACETS = {"record_type": {"patient": 1}, "status": {"active": 1}, "district": {"世田谷": 1}, "sex": {"male": 1}}


@pytest.fixture
async def browser(client: httpx.AsyncClient, login: Login) -> httpx.AsyncClient:
    """A logged-in nurse's browser."""
    await login(client)
    return client


def text_of(html: str) -> str:
    """The page's text without tags, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def answer(backends: respx.MockRouter, body: dict) -> respx.Route:
    """search answers GET /search with this body."""
    return backends.get(f"{SEARCH}/search").mock(return_value=httpx.Response(200, json=body))


@pytest.mark.req("R22", partial=True)
class TestHeaderBox:
    """One search box on every page, announced as a combobox with a list of options (driven in test_search_box)."""

    async def test_the_box_is_a_combobox_with_a_link_to_the_advanced_search(self, browser: httpx.AsyncClient) -> None:
        html = (await browser.get("/search")).text
        assert re.search(r'<input id="global-search-q"[^>]*role="combobox"[^>]*aria-expanded="false"', html)
        assert '<script src="/static/combobox.js" defer></script>' in html
        assert (
            '<button type="submit" formaction="/search/advanced" class="button button--header">詳細検索</button>'
            in html
        )

    async def test_suggestions_are_options_of_a_listbox_with_the_match_marked(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{SEARCH}/search/suggest").mock(return_value=httpx.Response(200, json={"items": [ITEM]}))
        html = (await browser.get("/search/suggest", params={"q": "たなか"}, headers={"HX-Request": "true"})).text
        assert '<ul id="search-listbox" class="suggestions__list" role="listbox" aria-label="検索候補">' in html
        assert '<li id="search-option-1" role="option" aria-selected="false">' in html
        assert "<mark>田中</mark> 太郎" in html and "<mark>タナカ</mark> タロウ" in html


@pytest.mark.req("R22", partial=True)
class TestResults:
    """Results show type, name, カナ, 和暦, status with marks, and counts that narrow the search."""

    async def test_marks_and_facet_links(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        route = answer(backends, {"items": [ITEM], "total": 1, "facets": FACETS})
        html = (await browser.get("/search", params={"q": "たなか s45"})).text
        assert route.calls.last.request.url.params["facets"] == "true"
        row = text_of(html[html.index("<tbody>") : html.index("</tbody>")])
        assert "患者 田中 太郎 タナカ タロウ 昭和45年3月1日 2026-00001 登録中" in row
        assert f'<a href="/patients/{PATIENT_ID}"><mark>田中</mark> 太郎</a>' in html
        assert '<nav class="search-facets" aria-label="絞り込み">' in html
        assert (
            'href="/search/advanced?q=%E3%81%9F%E3%81%AA%E3%81%8B%20s45&amp;district=%E4%B8%96%E7%94%B0%E8%B0%B7"'
            in html
        )
        assert "男性</a>（1件）" in html

    @pytest.mark.req("R19", partial=True)
    async def test_the_patients_found_can_be_sent_to_a_batch_print(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        contact = ITEM | {"record_type": "contact", "id": "6c1f8d3f-9e1c-4d66-8b46-1e8b5d2f1b22", "area": "contacts"}
        answer(backends, {"items": [ITEM, contact], "total": 2, "facets": FACETS})
        html = (await browser.get("/search", params={"q": "たなか"})).text
        link = f'href="/documents/batches?genre=%E6%82%A3%E8%80%85%E7%AE%A1%E7%90%86&amp;patient_id={PATIENT_ID}"'
        assert link in html and "表示中の患者（1人）の帳票を一括印刷する" in html, "contacts are not sent"

    async def test_text_in_results_is_escaped(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        hostile = ITEM | {"name": "<script>x</script>", "highlight": {"name": [["<script>", True], ["x", False]]}}
        answer(backends, {"items": [hostile], "total": 1})
        html = (await browser.get("/search", params={"q": "x"})).text
        assert "<mark>&lt;script&gt;</mark>x" in html and "<script>x" not in html


@pytest.mark.req("R22", partial=True)
class TestAdvanced:
    """詳細検索: free text plus conditions, sent to search as they were chosen."""

    async def test_an_empty_form_asks_nothing_of_search(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = answer(backends, {"items": [], "total": 0})
        html = (await browser.get("/search/advanced")).text
        assert not route.called and "<h1>詳細検索</h1>" in html
        for label in (
            "種別",
            "状態",
            "地区担当",
            "担当保健師（ユーザ名）",
            "性別",
            "年齢",
            "登録日",
            "診断日",
            "生年月日",
        ):
            assert f">{label}<" in html, label

    async def test_conditions_are_passed_on_and_kept_in_the_form(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = answer(backends, {"items": [ITEM], "total": 1, "facets": FACETS})
        params = [("q", "田中"), ("type", "patient"), ("type", "contact"), ("district", "世田谷"), ("age_min", "50")]
        params += [("registered_from", "2026-04-01"), ("sex", ""), ("nurse", " ")]
        html = (await browser.get("/search/advanced", params=params)).text
        sent = route.calls.last.request.url.params
        assert sent.get_list("type") == ["patient", "contact"] and sent["district"] == "世田谷"
        assert (sent["q"], sent["age_min"], sent["registered_from"]) == ("田中", "50", "2026-04-01")
        assert "sex" not in sent and "nurse" not in sent
        assert '<input type="checkbox" name="type" value="contact" checked>' in html
        assert 'value="2026-04-01"' in html and "検索結果：1件" in html
        assert "<mark>田中</mark> 太郎" in html
        # the results come first; the conditions fold away below them (issue 23)
        assert html.index("検索結果：1件") < html.index('<details class="form-section disclosure">')
        assert html.index('<details class="form-section disclosure">') < html.index('id="a-q"')
        assert "検索条件を変更する" in html

    @pytest.mark.req("N12", partial=True)
    async def test_the_nurse_is_chosen_by_name_from_the_staff_assignments(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        staff = json.loads((Path(__file__).parents[1] / "patients" / "nurse_lookup.json").read_text(encoding="utf-8"))
        backends.routes["staff"].mock(return_value=httpx.Response(200, json=staff["staff_assignment"]))
        route = answer(backends, {"items": [ITEM], "total": 1, "facets": FACETS})
        html = (await browser.get("/search/advanced", params={"nurse": "nurse_suzuki"})).text
        assert route.calls.last.request.url.params["nurse"] == "nurse_suzuki", "the user name is searched"
        select = re.search(r'<select class="input input--medium" id="a-nurse" name="nurse">.*?</select>', html, re.S)
        assert select is not None and '<label for="a-nurse">担当保健師</label>' in html
        options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select.group(0))
        assert options[0] == ("", "", "指定しない")
        assert ("nurse_suzuki", " selected", "試験 鈴木（nurse_suzuki）") in options
        assert ("nurse_sato", "", "試験 佐藤（nurse_sato）") in options
        assert [text for _, _, text in options[1:]] == sorted(text for _, _, text in options[1:])

    async def test_without_staff_assignments_the_nurse_is_typed(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        answer(backends, {"items": [], "total": 0, "facets": {}})
        html = (await browser.get("/search/advanced", params={"nurse": "nurse_x"})).text
        assert '<select class="input input--medium" id="a-nurse"' not in html
        assert 'aria-describedby="a-nurse-hint" value="nurse_x"' in html
        assert "担当保健師がマスタ管理に登録されていないため、ユーザ名を入力してください。" in html

    async def test_nothing_found_says_so(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        answer(backends, {"items": [], "total": 0, "facets": {}})
        html = (await browser.get("/search/advanced", params={"status": "excluded"})).text
        assert "条件に合う記録は見つかりませんでした" in html


@pytest.mark.req("R22", partial=True)
class TestBroadAndIncomplete:
    """A broad query's count is shown as a lower bound; an incomplete index is said so above the results."""

    async def test_a_lower_bound_reads_as_at_least(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        answer(backends, {"items": [ITEM], "total": 1000, "total_is_lower_bound": True, "facets": FACETS})
        html = (await browser.get("/search", params={"q": "たなか"})).text
        assert "「たなか」の検索結果：1,000件以上（上位1件を表示しています。" in text_of(html)
        assert "男性</a>（1件以上）" in html and "実際はそれ以上あります" in html
        advanced = (await browser.get("/search/advanced", params={"q": "たなか"})).text
        assert "検索結果：1,000件以上" in advanced and "条件を加えて絞り込んでください" in advanced

    async def test_an_exact_total_has_no_qualifier(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        answer(backends, {"items": [ITEM], "total": 1, "total_is_lower_bound": False, "facets": FACETS})
        html = (await browser.get("/search", params={"q": "たなか"})).text
        assert "検索結果：1件</p>" in html and "以上" not in text_of(html[html.index("<main") :])

    @pytest.mark.parametrize(
        ("index", "notice"),
        [
            (
                {"state": "rebuilding", "done": 1200, "total": 5000, "detail": ""},
                "索引を作り直しています（1,200／5,000件）",
            ),
            ({"state": "needs_reindex", "detail": "new index schema"}, "索引の再構築を依頼してください"),
        ],
    )
    async def test_an_incomplete_index_is_announced(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, index: dict, notice: str
    ) -> None:
        answer(backends, {"items": [], "total": 0, "facets": {}, "index": index})
        for page in ("/search", "/search/advanced"):
            html = (await browser.get(page, params={"q": "たなか"})).text
            assert notice in html and 'role="status"' in html, page

    async def test_a_complete_index_says_nothing(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        answer(backends, {"items": [], "total": 0, "facets": {}, "index": {"state": "complete", "detail": ""}})
        html = (await browser.get("/search", params={"q": "たなか"})).text
        assert "索引" not in html


FOUND = {  # the synthetic patient as search returns it
    "record_type": "patient",
    "id": PATIENT_ID,
    "name": "試験 太郎",
    "name_kana": "シケン タロウ",
    "birth_date": "1970-03-01",
    "birth_date_wareki": "昭和45年3月1日",
}


class TestSearch:
    async def test_suggestions_start_from_the_second_character(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        item = FOUND
        route = backends.get(f"{SEARCH}/search/suggest").mock(return_value=httpx.Response(200, json={"items": [item]}))
        one = await browser.get("/search/suggest", params={"q": "試"}, headers={"HX-Request": "true"})
        assert not route.called and "<li>" not in one.text
        two = await browser.get("/search/suggest", params={"q": "試験"}, headers={"HX-Request": "true"})
        assert route.calls.last.request.url.params["q"] == "試験"
        assert f'href="/patients/{PATIENT_ID}"' in two.text and "昭和45年3月1日" in two.text
        assert "候補1件" in two.text

    async def test_a_search_failure_stays_inside_the_suggestions(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{SEARCH}/search/suggest").mock(return_value=httpx.Response(503))
        response = await browser.get("/search/suggest", params={"q": "試験"})
        assert response.status_code == 200 and "一時的にサービスに接続できません" not in response.text
        assert "しばらくしてから" in response.text

    async def test_results_are_a_table_linking_to_each_patient(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        item = {**FOUND, "registration_no": "2026-00001", "status": "active"}
        backends.get(f"{SEARCH}/search").mock(return_value=httpx.Response(200, json={"items": [item], "total": 1}))
        html = (await browser.get("/search", params={"q": "しけん"})).text
        row = text_of(html[html.index("<tbody>") :])
        assert "患者 試験 太郎 シケン タロウ 昭和45年3月1日 2026-00001 登録中" in row
        assert f'<a href="/patients/{PATIENT_ID}">試験 太郎</a>' in html
        assert "1件" in html


@pytest.mark.req("R22", partial=True)
class TestAdvancedDistricts:
    """詳細検索's 地区担当 offers masters' districts; without masters the district is typed."""

    async def test_the_districts_are_masters_own(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        backends.routes["districts"].mock(return_value=httpx.Response(200, json=[{"code": "k", "name": "砧"}]))
        html = (await browser.get("/search/advanced")).text
        assert re.findall(r'<input type="checkbox" name="district" value="([^"]+)"', html) == ["砧"]

    async def test_without_masters_the_district_is_typed_and_searched_for(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.routes["districts"].mock(side_effect=httpx.ConnectError("refused"))
        route = answer(backends, {"items": [], "total": 0, "facets": {}})
        page = await browser.get("/search/advanced", params={"district": "北沢"})
        assert page.status_code == 200 and route.calls.last.request.url.params["district"] == "北沢"
        assert re.search(r'<input[^>]*id="a-district" name="district"[^>]*value="北沢"', page.text)
        assert 'type="checkbox" name="district"' not in page.text and "地区の一覧を読み込めませんでした" in page.text


@pytest.mark.req("N09", partial=True)
class TestCrossSiteNavigation:
    """A link on another site cannot make a logged-in user search or export (each visit is audited)."""

    async def test_a_link_from_another_site_is_refused_and_nothing_is_searched(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = answer(backends, {"items": [ITEM], "total": 1, "facets": FACETS})
        for path in ("/search?q=たなか", "/search/advanced?q=たなか", "/patients/export?target=patients"):
            refused = await browser.get(path, headers={"Sec-Fetch-Site": "cross-site"})
            assert refused.status_code == 403, path
            assert "他のサイトのリンクからは行えません" in refused.text
        assert not route.called
        for origin in ("same-origin", "none"):  # a link inside tbms, a typed address or a bookmark
            assert (await browser.get("/search?q=たなか", headers={"Sec-Fetch-Site": origin})).status_code == 200
