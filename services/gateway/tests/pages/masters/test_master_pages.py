"""マスタ管理 in the gateway against a fake masters that follows the contract: the menu, a list and its search,
a row with its history, new rows, corrections based on the version seen, ending, and who may do what (R25, R26)."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx
from gateway.clients.masters import MasterKind
from gateway.pages.masters.entry_forms import record_fields
from gateway.pages.masters.view import shown
from tbms_core.clock import frozen_at, jst

from ...conftest import MASTERS, csrf_token, nav_of, text_of
from .conftest import CODE, ENDED, INSTITUTION, INSTITUTION_KIND, READER_ROLES, BrowserAs, row_url

pytestmark = pytest.mark.req("R26")


def main_of(html: str) -> str:
    """The text of the page's main content."""
    return text_of(html[html.index('<main id="main"') : html.index("</main>")])


def section(html: str, title_id: str) -> str:
    """One section of a page (up to its end)."""
    start = html.index(f'aria-labelledby="{title_id}"')
    return html[start : html.index("</section>", start)]


def sent(route: respx.Route) -> dict:
    """The JSON body of the last call of a route."""
    return json.loads(route.calls.last.request.content)


def rows(masters: respx.MockRouter, *items: dict, total: int | None = None) -> respx.Route:
    """masters answers the institution list with these rows."""
    body = {"items": list(items), "total": len(items) if total is None else total}
    return masters.get(f"{MASTERS}/masters/institution", name="list").mock(return_value=httpx.Response(200, json=body))


class TestMenu:
    async def test_the_kinds_are_a_menu_reached_from_the_site_menu(self, reader: httpx.AsyncClient) -> None:
        page = await reader.get("/masters")
        assert page.status_code == 200
        assert "マスタ管理" in nav_of(page.text) and 'href="/masters" aria-current="page"' in page.text
        menu = main_of(page.text)
        assert "医療機関 医療機関コードで管理" in menu and "保健所・自治体" in menu
        assert 'href="/masters/doctor"' in page.text

    async def test_without_masters_access_there_is_no_menu_item_and_the_page_is_refused(
        self, browser_as: BrowserAs
    ) -> None:
        nurse = await browser_as(["patients:update"])
        assert "マスタ管理" not in nav_of((await nurse.get("/")).text)
        refused = await nurse.get("/masters/institution")
        assert refused.status_code == 403 and "「マスタ管理」の参照権限がありません。" in refused.text


@pytest.mark.req("R25", partial=True)
class TestList:
    async def test_rows_show_code_name_kana_key_items_and_the_period_in_wareki(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        rows(masters, INSTITUTION)
        page = await reader.get("/masters/institution")
        table = text_of(page.text[page.text.index("<table") : page.text.index("</table>")])
        assert "医療機関コード 名称 カナ 種別 所在地 電話番号 結核指定医療機関（法38条） 有効期間" in table
        assert f"{CODE} 世田谷中央病院 セタガヤチュウオウビョウイン 病院 東京都世田谷区世田谷1-2-3" in table
        assert "はい 令和8年4月1日から" in table
        assert f'href="/masters/institution/{CODE}"' in page.text
        assert "（今日有効なもの） 全1件中 1〜1件目" in table

    async def test_the_search_asks_masters_by_code_name_or_kana_and_can_include_ended_rows(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = rows(masters, ENDED)
        page = await reader.get("/masters/institution", params={"q": " きたざわ ", "include_ended": "1"})
        asked = route.calls.last.request.url.params
        assert asked["q"] == "きたざわ" and asked["include_ended"] == "true" and asked["offset"] == "0"
        assert 'value="きたざわ"' in page.text and 'name="include_ended" type="checkbox" value="1" checked' in page.text
        assert "旧北沢診療所 終了" in text_of(page.text) and "平成13年4月1日〜令和7年3月31日" in text_of(page.text)

    async def test_a_row_not_yet_in_force_is_planned_from_its_start_and_only_a_past_end_is_ended(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        planned = {**INSTITUTION, "code": "1310100001", "name": "新設見本病院", "valid_from": "2027-04-01"}
        ends_today = {**INSTITUTION, "code": "1310100002", "name": "今日まで病院", "valid_to": "2026-12-05"}
        ended = {**INSTITUTION, "code": "1310100003", "name": "昨日まで病院", "valid_to": "2026-12-04"}
        rows(masters, *({**row, "active": False} for row in (planned, ended)), ends_today, ENDED)
        with frozen_at(jst(2026, 12, 5, 8)):  # Japan's 5 December; the machine's UTC clock still says the 4th
            page = (await reader.get("/masters/institution", params={"include_ended": "1"})).text
        names = [text_of(cell).strip() for cell in re.findall(r'<th scope="row">(.*?)</th>', page, re.S)]
        assert names[0] == "新設見本病院 予定（令和9年4月1日から）"
        assert names[1:] == ["昨日まで病院 終了", "今日まで病院", "旧北沢診療所 終了"]

    async def test_a_long_list_comes_a_page_at_a_time(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = rows(masters, INSTITUTION, total=120)
        page = await reader.get("/masters/institution", params={"q": "病院", "page": "2"})
        assert route.calls.last.request.url.params["offset"] == "50"
        assert "全120件中 51〜100件目" in text_of(page.text) and "2 / 3ページ" in text_of(page.text)
        assert 'href="/masters/institution?q=%E7%97%85%E9%99%A2&amp;page=1"' in page.text
        assert 'href="/masters/institution?q=%E7%97%85%E9%99%A2&amp;page=3"' in page.text

    async def test_nothing_found_says_so_and_where_ended_rows_are(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        rows(masters)
        page = await reader.get("/masters/institution", params={"q": "存在しない"})
        assert (
            "「存在しない」に一致する医療機関はありません。終了したものは「終了したものも表示」で探せます。"
            in page.text
        )

    async def test_a_reader_gets_the_exports_but_no_new_or_import_buttons(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        rows(masters, INSTITUTION)
        page = (await reader.get("/masters/institution")).text
        assert 'href="/masters/institution/export.csv"' in page and 'href="/masters/institution/export.xlsx"' in page
        assert "/masters/institution/new" not in page and "/masters/institution/import" not in page

    async def test_the_export_is_masters_file_relayed(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        csv = "\ufeff医療機関コード,名称\r\n1310112345,世田谷中央病院\r\n".encode()
        headers = {"content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="i.csv"'}
        masters.get(f"{MASTERS}/masters/institution/export.csv").mock(
            return_value=httpx.Response(200, content=csv, headers=headers)
        )
        download = await reader.get("/masters/institution/export.csv")
        assert download.status_code == 200 and download.content == csv
        assert download.headers["content-disposition"] == 'attachment; filename="i.csv"'

    @pytest.mark.req("N26", partial=True)
    async def test_shift_jis_is_offered_asked_of_masters_and_a_refusal_names_the_characters(
        self, reader: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        rows(masters, INSTITUTION)
        refusal = {"detail": "1行目の「名称」の「𠮷」（U+20BB7）", "code": "csv_not_in_cp932", "errors": {}}
        sjis = "医療機関コード,名称\r\n1310112345,〓野診療所\r\n".encode("cp932")
        route = masters.get(f"{MASTERS}/masters/institution/export.csv").mock(
            side_effect=[
                httpx.Response(422, json=refusal),
                httpx.Response(200, content=sjis, headers={"content-type": "text/csv; charset=Shift_JIS"}),
            ]
        )

        listed = (await reader.get("/masters/institution")).text
        refused = await reader.get("/masters/institution/export.csv", params={"encoding": "cp932"})
        accepted = await reader.get("/masters/institution/export.csv", params={"encoding": "cp932", "substitute": "1"})

        assert 'href="/masters/institution/export.csv?encoding=cp932"' in listed
        assert refused.status_code == 422 and "1行目の「名称」の「𠮷」（U+20BB7）" in refused.text
        assert 'href="/masters/institution/export.csv?encoding=cp932&amp;substitute=true"' in refused.text
        assert dict(route.calls.last.request.url.params) == {"encoding": "cp932", "substitute": "true"}
        assert accepted.content == sjis

    async def test_an_unknown_kind_is_a_missing_page(self, reader: httpx.AsyncClient) -> None:
        page = await reader.get("/masters/nothing")
        assert page.status_code == 404 and "指定されたマスタはありません。" in page.text


@pytest.mark.req("R25", partial=True)
class TestRow:
    async def test_a_reader_sees_what_is_stored_and_the_history_but_no_form(self, reader: httpx.AsyncClient) -> None:
        page = await reader.get(f"/masters/institution/{CODE}")
        assert page.status_code == 200
        stored = text_of(section(page.text, "record-title"))
        assert (
            "種別 病院" in stored and "結核指定医療機関（法38条） はい" in stored and "指定日 令和2年4月1日" in stored
        )
        assert "<form" not in page.text.split('id="main"')[1].split("</main>")[0].replace('action="/logout"', "")
        assert 'id="end-title"' not in page.text
        history = text_of(section(page.text, "history-title"))
        assert "令和8年11月20日 10:05 試験 花子 第3版 理由：移転により住所を変更" in history
        assert "所在地 東京都世田谷区若林1-1-1 東京都世田谷区世田谷1-2-3" in history
        assert "指定日 （空欄） 令和2年4月1日" in history and "管理 一郎 第1版（登録）" in history
        assert "最終更新 令和8年11月20日 10:05 試験 花子 第3版" in text_of(page.text), "by name, not user id"
        assert "理由：新規開設 令和8年4月1日 09:00の登録内容 項目 登録した内容 名称 世田谷中央病院" in history

    async def test_a_row_not_yet_in_force_says_from_when_and_is_not_said_to_have_ended(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        planned = {**INSTITUTION, "valid_from": "2027-04-01", "valid_to": "2032-03-31", "active": False}
        masters.routes["row"].mock(return_value=httpx.Response(200, json=planned))
        with frozen_at(jst(2026, 12, 5, 8)):
            page = (await updater.get(f"/masters/institution/{CODE}")).text
        assert "状態 予定（令和9年4月1日から） （令和9年4月1日〜令和14年3月31日）" in text_of(page)
        assert "この医療機関は令和14年3月31日で終了します。" in text_of(section(page, "end-title"))

    async def test_an_updater_gets_the_form_filled_with_wareki_dates_and_one_line_per_item(
        self, updater: httpx.AsyncClient
    ) -> None:
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        form = section(page, "record-title")
        assert 'name="version" value="3"' in form and 'name="code"' not in form
        assert 'id="f-m-designated_from" name="designated_from" type="text" value="R2.4.1"' in form
        assert re.search(r'name="designated" type="checkbox" value="yes"\s*checked', form)
        assert '<option value="hospital" selected>病院</option>' in form
        assert ">内科\n呼吸器内科</textarea>" in form
        assert '修正理由<span class="required">（必須）</span>' in form

    async def test_a_reference_to_another_master_shows_its_name_and_gets_that_masters_picker(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        doctor = {**INSTITUTION, "kind": "doctor", "code": "D00001", "name": "見本 医師", "kana": "ミホン イシ"}
        doctor |= {"data": {"institution_code": CODE, "specialty": "呼吸器内科"}}
        masters.get(row_url("D00001", "doctor")).mock(return_value=httpx.Response(200, json=doctor))
        masters.get(f"{row_url('D00001', 'doctor')}/history").mock(return_value=httpx.Response(200, json={"items": []}))
        page = (await updater.get("/masters/doctor/D00001")).text
        assert 'data-picker="/masters/institution"' in page and 'data-picker-keeps="code"' in page
        assert f'name="institution_code" type="text" value="{CODE}"' in page
        assert "選択中：世田谷中央病院" in page


@pytest.mark.req("R25", partial=True)
class TestNewRow:
    async def test_a_wrong_check_digit_is_shown_beside_the_code_with_everything_typed_kept(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        message = "医療機関コードの検証番号が正しくありません（末尾は5になるはずです）。"
        route = masters.post(f"{MASTERS}/masters/institution").mock(
            return_value=httpx.Response(422, json={"detail": "入力内容に誤りがあります。", "errors": {"code": message}})
        )
        form = (await updater.get("/masters/institution/new")).text
        typed = {
            "csrf_token": csrf_token(form),
            "code": "1310112346",
            "name": "世田谷中央病院",
            "kana": "せたがやちゅうおうびょういん",
            "address": "東京都世田谷区世田谷1-2-3",
            "type": "hospital",
            "designated": "yes",
            "designated_from": "R2.4.1",
            "tb_bed_count": "２０",
            "departments": "内科\n呼吸器内科",
        }
        page = await updater.post("/masters/institution", data=typed)
        assert page.status_code == 422
        body = sent(route)
        assert body["code"] == "1310112346" and "valid_from" not in body and body["valid_to"] is None
        assert body["data"]["designated"] is True and body["data"]["designated_from"] == "2020-04-01"
        assert body["data"]["tb_bed_count"] == 20 and body["data"]["departments"] == "内科\n呼吸器内科"
        summary = page.text[page.text.index('id="error-summary"') :]
        assert f'<a href="#f-m-code">医療機関コード：{message}</a>' in summary
        assert (
            f'<p class="field-error" id="f-m-code-error"><span class="visually-hidden">エラー：</span>{message}</p>'
            in page.text
        )
        assert 'aria-invalid="true" aria-describedby="f-m-code-hint f-m-code-error"' in page.text
        assert 'value="1310112346"' in page.text and 'value="R2.4.1"' in page.text

    async def test_an_unreadable_date_is_refused_beside_it_before_masters_is_asked(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = masters.post(f"{MASTERS}/masters/institution")
        form = (await updater.get("/masters/institution/new")).text
        data = {"csrf_token": csrf_token(form), "code": CODE, "name": "病院", "designated_from": "R8.13.1"}
        page = await updater.post("/masters/institution", data=data)
        assert page.status_code == 422 and not route.called
        assert 'id="f-m-designated_from-error"' in page.text

    async def test_a_code_already_taken_is_said_beside_the_code(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        taken = "このコードはすでに登録されています（終了したものを含む）。既存のデータを修正してください。"
        masters.post(f"{MASTERS}/masters/institution").mock(return_value=httpx.Response(409, json={"detail": taken}))
        form = (await updater.get("/masters/institution/new")).text
        data = {"csrf_token": csrf_token(form), "code": CODE, "name": "世田谷中央病院", "type": "hospital"}
        refused = await updater.post("/masters/institution", data=data)
        assert refused.status_code == 422 and f'<a href="#f-m-code">医療機関コード：{taken}</a>' in refused.text

    async def test_a_new_row_opens_its_page_saying_it_was_registered(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        masters.post(f"{MASTERS}/masters/institution").mock(return_value=httpx.Response(201, json=INSTITUTION))
        form = (await updater.get("/masters/institution/new")).text
        data = {"csrf_token": csrf_token(form), "code": CODE, "name": "世田谷中央病院", "type": "hospital"}
        created = await updater.post("/masters/institution", data=data)
        assert created.status_code == 303 and created.headers["location"] == f"/masters/institution/{CODE}"
        page = (await updater.get(created.headers["location"])).text
        assert (
            '<div id="flash" class="notice notice--ok flash" role="status" tabindex="-1"><p>登録しました。</p>' in page
        )
        assert 'id="flash"' not in (await updater.get(created.headers["location"])).text, "shown once"


@pytest.mark.req("R25", partial=True)
class TestCorrection:
    async def test_only_the_items_typed_differently_are_sent_with_the_version_and_reason(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = masters.patch(row_url()).mock(return_value=httpx.Response(200, json=INSTITUTION))
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        typed = {
            "csrf_token": csrf_token(page),
            "version": "3",
            "name": "世田谷中央病院",
            "kana": "セタガヤチュウオウビョウイン",
            "postal_code": "154-0017",
            "address": "東京都世田谷区世田谷1-2-3",
            "phone": "03-9999-0000",
            "type": "hospital",
            "designated": "yes",
            "designated_from": "2020-04-01",  # the same day typed in 西暦
            "tb_bed_count": "20",
            "departments": "内科\n呼吸器内科",
            "valid_from": "R8.4.1",
            "reason": "電話番号の変更",
        }
        saved = await updater.post(f"/masters/institution/{CODE}", data=typed)
        assert saved.status_code == 303 and saved.headers["location"] == f"/masters/institution/{CODE}"
        assert sent(route) == {"version": 3, "changes": {"phone": "03-9999-0000"}, "reason": "電話番号の変更"}
        assert "保存しました。" in (await updater.get(saved.headers["location"])).text

    async def test_a_correction_needs_its_reason(self, updater: httpx.AsyncClient, masters: respx.MockRouter) -> None:
        route = masters.patch(row_url())
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        refused = await updater.post(
            f"/masters/institution/{CODE}", data={"csrf_token": csrf_token(page), "version": "3", "phone": "03-1"}
        )
        assert refused.status_code == 422 and not route.called
        assert '<a href="#f-m-reason">修正理由：修正理由を入力してください。</a>' in refused.text

    async def test_a_save_based_on_an_old_version_is_refused_with_the_current_data(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        conflict = "他の利用者が先に更新しました。最新の内容を確認してから、もう一度修正してください。"
        masters.patch(row_url()).mock(return_value=httpx.Response(409, json={"detail": conflict}))
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        typed = {"csrf_token": csrf_token(page), "version": "2", "name": "世田谷中央病院", "phone": "03-0000-0000"}
        refused = await updater.post(f"/masters/institution/{CODE}", data=typed | {"reason": "電話番号の変更"})
        assert refused.status_code == 409
        alert = text_of(
            refused.text[
                refused.text.index('id="error-summary"') : refused.text.index(
                    "</dl>", refused.text.index('id="error-summary"')
                )
            ]
        )
        assert conflict in alert and "現在の登録内容（第3版、令和8年11月20日 10:05、試験 花子に保存）" in alert
        assert "電話番号 03-1111-2222" in alert, "the current data is shown"
        form = section(refused.text, "record-title")
        assert 'name="version" value="2"' in form and 'value="03-0000-0000"' in form, "what was typed is kept"

    async def test_a_refused_item_is_placed_beside_its_input(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        errors = {"changes.data.tb_bed_count": "結核病床数は0以上の整数で入力してください。"}
        masters.patch(row_url()).mock(return_value=httpx.Response(422, json={"detail": "x", "errors": errors}))
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        data = {"csrf_token": csrf_token(page), "version": "3", "name": "世田谷中央病院", "tb_bed_count": "多数"}
        refused = await updater.post(f"/masters/institution/{CODE}", data=data | {"reason": "病床数"})
        assert refused.status_code == 422
        assert 'id="f-m-tb_bed_count-error"' in refused.text and 'value="多数"' in refused.text


@pytest.mark.req("R25", partial=True)
class TestEnd:
    async def test_a_row_is_ended_on_a_day_with_a_reason(
        self, updater: httpx.AsyncClient, masters: respx.MockRouter
    ) -> None:
        route = masters.post(f"{row_url()}/end").mock(return_value=httpx.Response(200, json=ENDED))
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        end = section(page, "end-title")
        assert 'action="/masters/institution/1310112345/end"' in end and 'name="version" value="3"' in end
        data = {"csrf_token": csrf_token(page), "version": "3", "valid_to": "R9.3.31", "reason": "閉院のため"}
        ended = await updater.post(f"/masters/institution/{CODE}/end", data=data)
        assert ended.status_code == 303
        assert sent(route) == {"version": 3, "valid_to": "2027-03-31", "reason": "閉院のため"}
        assert "終了しました（令和9年3月31日まで有効です）。" in (await updater.get(ended.headers["location"])).text

    async def test_ending_needs_a_day_and_a_reason(self, updater: httpx.AsyncClient, masters: respx.MockRouter) -> None:
        route = masters.post(f"{row_url()}/end")
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        refused = await updater.post(f"/masters/institution/{CODE}/end", data={"csrf_token": csrf_token(page)})
        assert refused.status_code == 422 and not route.called
        end = section(refused.text, "end-title")
        assert "終了日を入力してください。" in end and "終了の理由を入力してください。" in end

    async def test_an_ended_row_says_since_when(self, updater: httpx.AsyncClient, masters: respx.MockRouter) -> None:
        masters.routes["row"].mock(return_value=httpx.Response(200, json={**INSTITUTION, **ENDED, "code": CODE}))
        page = (await updater.get(f"/masters/institution/{CODE}")).text
        assert "この医療機関は令和7年3月31日で終了しています。" in text_of(section(page, "end-title"))
        assert "状態 終了 （平成13年4月1日〜令和7年3月31日）" in text_of(page)


class TestWhoMayChange:
    @pytest.mark.parametrize(
        "path",
        [
            f"/masters/institution/{CODE}",
            f"/masters/institution/{CODE}/end",
            "/masters/institution",
            "/masters/institution/import",
        ],
    )
    async def test_a_reader_posting_is_refused_before_masters_is_called(
        self, browser_as: BrowserAs, masters: respx.MockRouter, path: str
    ) -> None:
        reader = await browser_as(READER_ROLES)
        page = (await reader.get(f"/masters/institution/{CODE}")).text
        calls = len(masters.calls)
        refused = await reader.post(path, data={"csrf_token": csrf_token(page), "version": "3", "reason": "x"})
        assert refused.status_code == 403 and "「マスタ管理」の更新権限がありません。" in refused.text
        assert len(masters.calls) == calls

    @pytest.mark.parametrize("path", ["/masters/institution/new", "/masters/institution/import"])
    async def test_a_reader_cannot_open_the_forms_for_changes(self, reader: httpx.AsyncClient, path: str) -> None:
        page = await reader.get(path)
        assert page.status_code == 403 and "「マスタ管理」の更新権限がありません。" in page.text


def test_codes_of_ten_digits_are_not_read_as_dates() -> None:
    """A history value such as an institution's code stays as it is; ISO dates read in 和暦."""
    assert shown(None, CODE) == CODE and shown(None, "2026-04-01") == "令和8年4月1日"


def test_a_code_masters_makes_from_the_data_is_optional_in_the_new_form() -> None:
    """masters says which kinds' codes (and names) it makes: the form leaves them optional."""
    listed = {"kind": "code", "label": "コード表", "code_label": "コード", "code_derived": True, "name_derived": True}
    derived = {f.name: f.required for f in record_fields(MasterKind.of(listed), new=True)}
    assert derived["code"] is False and derived["name"] is False
    given = {f.name: f.required for f in record_fields(MasterKind.of(INSTITUTION_KIND), new=True)}
    assert given["code"] is True and given["name"] is True
