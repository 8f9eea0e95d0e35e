"""患者一覧 and the 担当保健師 list against this code's patients service: sort by a column (aria-sort on its header),
filters kept in the URL, the 注意事項 column in words, and each nurse's patients counted and linked."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx

from ...conftest import MASTERS, text_of
from .conftest import MakePatient

STAFF = {
    "items": [
        {"code": "S1", "name": "世田谷担当", "data": {"nurse_username": "nurse-mihon", "nurse_name": "見本 保健師"}},
        {"code": "S3", "name": "砧担当", "data": {"nurse_username": "nurse-counted", "nurse_name": "計数 保健師"}},
        {"code": "S2", "name": "北沢担当", "data": {"nurse_username": "nurse-idle", "nurse_name": "待機 保健師"}},
    ],
    "total": 3,
}


def rows_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    hidden = r'<span class="visually-hidden">.*?</span>'  # what a screen reader adds to a link
    return [text_of(re.sub(hidden, "", row)).strip() for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def names_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r'<a href="/patients/[0-9a-f-]+">(.*?)</a>', body)


def header_of(html: str, label: str) -> str:
    return next(th for th in re.findall(r"<th scope=\"col\"[^>]*>.*?</th>", html, re.S) if label in th)


@pytest.mark.req("N12", partial=True)
class TestPatientList:
    async def test_sorting_by_reading_marks_the_header_and_keeps_the_filters(
        self, browser: httpx.AsyncClient, make_patient: MakePatient, district: str
    ) -> None:
        await make_patient(name="見本 一", name_kana="ミホン イチ", district=district)
        await make_patient(name="見本 二", name_kana="アオキ ニ", district=district)

        html = (await browser.get("/patients", params={"district": district, "sort": "name_kana"})).text

        assert names_of(html) == ["見本 二", "見本 一"]
        kana = header_of(html, "氏名カナ")
        assert 'aria-sort="ascending"' in kana and "降順に並べ替え" in kana
        assert "aria-sort" not in header_of(html, "生年月日")
        link = re.search(r'href="([^"]+)"', kana).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
        assert parse_qs(urlsplit(link).query) == {"district": [district], "sort": ["name_kana"], "order": ["desc"]}
        assert "氏名カナの昇順" in html and "全2人" in html

    async def test_the_alerts_column_says_the_level_in_words_and_the_next_date(
        self, browser: httpx.AsyncClient, make_patient: MakePatient, district: str
    ) -> None:
        await make_patient(name="見本 届出", category="patient", district=district, registered_on="2026-04-01")
        await make_patient(name="見本 回復", category="recovered", district=district)

        html = (await browser.get("/patients", params={"district": district, "alerts": "any"})).text

        [row] = rows_of(html)
        assert "見本 届出" in row
        assert "注意 発生届の届出日が入力されていません" in row
        assert "令和8年4月1日" in row  # 次回予定: the earliest open deadline
        assert 'aria-sort="descending"' in header_of(html, "登録日")
        assert '<option value="any" selected>注意事項あり</option>' in html

    async def test_nurse_category_activity_and_age_filters_narrow_the_list(
        self, browser: httpx.AsyncClient, make_patient: MakePatient, district: str, backends: respx.MockRouter
    ) -> None:
        backends.routes["staff"].mock(return_value=httpx.Response(200, json=STAFF))
        await make_patient(name="見本 子", birth_date="2020-04-01", district=district, nurse="nurse-mihon")
        await make_patient(name="見本 潜在", category="ltbi", district=district, nurse="nurse-mihon")
        await make_patient(name="見本 他", district=district, nurse="nurse-other")

        mine = (await browser.get("/patients", params={"district": district, "nurse": "nurse-mihon"})).text
        children = (await browser.get("/patients", params={"district": district, "age_band": "0-14"})).text
        ltbi = (await browser.get("/patients", params={"district": district, "activity": "ltbi"})).text
        nobody = (await browser.get("/patients", params={"district": district, "status": "excluded"})).text

        assert sorted(names_of(mine)) == ["見本 子", "見本 潜在"]
        assert "見本 保健師（nurse-mihon）" in rows_of(mine)[0]
        assert '<option value="nurse-mihon" selected>見本 保健師（nurse-mihon）</option>' in mine
        assert names_of(children) == ["見本 子"]
        assert len(rows_of(ltbi)) == 1 and "潜在性結核感染症" in rows_of(ltbi)[0]
        assert "条件に一致する患者はいません" in nobody

    async def test_unknown_parameters_are_dropped_not_an_error(self, browser: httpx.AsyncClient) -> None:
        response = await browser.get("/patients", params={"sort": "address", "activity": "x", "page": "x"})
        deep = await browser.get("/patients", params={"page": "99999"})

        assert response.status_code == 200 and deep.status_code == 200
        assert 'aria-sort="descending"' in header_of(response.text, "登録日")


@pytest.mark.req("N12", partial=True)
class TestNurseList:
    async def test_each_nurse_with_counts_linked_to_their_patients(
        self, browser: httpx.AsyncClient, make_patient: MakePatient, district: str, backends: respx.MockRouter
    ) -> None:
        backends.routes["staff"].mock(return_value=httpx.Response(200, json=STAFF))
        await make_patient(name="見本 甲", category="patient", district=district, nurse="nurse-counted")
        await make_patient(name="見本 乙", category="recovered", district=district, nurse="nurse-counted")

        html = (await browser.get("/patients/nurses")).text

        rows = {row.split(" ", 2)[1]: row for row in rows_of(html) if row.startswith(("計数", "待機"))}
        assert rows["保健師（nurse-counted）"] == f"計数 保健師（nurse-counted） {district} 2人 1人 0人 2人"
        assert rows["保健師（nurse-idle）"] == "待機 保健師（nurse-idle） — 0人 0人 0人 0人"
        assert "/patients?nurse=nurse-counted&amp;status=active&amp;alerts=any" in html
        assert re.search(r'href="/patients/nurses"', (await browser.get("/patients")).text)

    async def test_masters_unreachable_shows_the_user_names(
        self, browser: httpx.AsyncClient, make_patient: MakePatient, district: str, backends: respx.MockRouter
    ) -> None:
        backends.routes["staff"].mock(return_value=httpx.Response(503))
        await make_patient(district=district, nurse="nurse-plain")

        html = (await browser.get("/patients/nurses")).text

        assert any(row.startswith("nurse-plain") for row in rows_of(html))
        assert MASTERS  # the staff names come from masters alone
