"""Office fit (issue 23) without a browser: the role badge and 「この項目を修正する権限がありません」, the footer's
links, the accessibility page without login, per-page help, notices and the FAQ administrators edit, the 郵便番号
table, the 外字 check and policy, the registration form's attributes, and the patient list's pages."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import respx
from gateway.pages.office.routes import ACCESSIBILITY_RESULTS
from gateway.settings import Settings
from gateway.web.permissions import role_label
from gateway.web.sessions import User
from tbms_core import clock

from ...conftest import (
    IDENTITY,
    PATIENT,
    PATIENT_ID,
    PATIENTS,
    CsrfOf,
    FakeKeycloakType,
    Login,
    gateway_with,
    mock_patient_page,
    text_of,
    with_roles,
)

ROOT = Path(__file__).parents[5]
NO_RIGHT = '<p class="notice no-permission">この項目を修正する権限がありません。'  # the help text names it too


@pytest.fixture(autouse=True)
def edits_recorded(backends: respx.MockRouter) -> respx.Route:
    """identity records each saved text in the operation history."""
    return backends.post(f"{IDENTITY}/help-text-edits").mock(return_value=httpx.Response(201, json={}))


def editor_form(html: str, text: str) -> dict[str, str]:
    """What the editor posts: its token, the version it shows, and the text."""
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version is not None
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token is not None
    return {"csrf_token": token[1], "version": version[1], "text": text}


def user(*roles: str) -> User:
    return User("u1", "u1", "試験 花子", frozenset(roles))


class TestRoles:
    @pytest.mark.req("N27", partial=True)
    def test_the_badge_names_the_role_in_words(self) -> None:
        assert role_label(user("patients:update", "contacts:update")) == "保健師"
        assert role_label(user("forms:update", "documents:update", "patients:read")) == "事務"
        assert role_label(user("patients:read", "contacts:read")) == "閲覧のみ"
        assert role_label(user("users:update")) == "管理者"
        assert role_label(user()) == "権限なし"

    async def test_a_read_only_user_is_told_instead_of_finding_no_controls(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["patients:read", "forms:read"])
        await login(client)
        mock_patient_page(backends)
        html = (await client.get(f"/patients/{PATIENT_ID}")).text
        assert '<span class="role-badge__label">権限</span>閲覧のみ' in html
        assert html.count(NO_RIGHT) >= 5 and "基本情報を修正する" not in html

    async def test_a_nurse_sees_the_forms_and_no_refusal(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        html = (await browser.get(f"/patients/{PATIENT_ID}")).text
        assert "基本情報を修正する" in html and NO_RIGHT not in html
        assert 'hx-get="/patients/planned-end"' in html, "the new treatment form proposes its planned end"
        basic = html[html.index('id="edit-title"') : html.index('id="reason-expected"')]
        assert basic.count('<details class="form-section disclosure">') == 4, "本人・連絡先・登録・保護者 start folded"
        assert "登録の事実を訂正するときは、修正理由を書いてください" in html
        assert 'data-shown-when="kind=smear"' in html or 'data-shown-when="kind=' in html, "lab fields follow the kind"
        assert '<span class="role-badge__label">権限</span>保健師' in html


@pytest.mark.req("N31", partial=True)
class TestFooterAndAccessibility:
    async def test_every_page_links_the_accessibility_page_and_it_opens_without_login(
        self, browser: httpx.AsyncClient, client: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_patient_page(backends)
        for path in ("/", "/patients/new", f"/patients/{PATIENT_ID}", "/help", "/notices", "/help/faq"):
            html = (await browser.get(path)).text
            assert '<a href="/accessibility">アクセシビリティ方針</a>' in html, path
        client.cookies.clear()
        page = await client.get("/accessibility")
        assert page.status_code == 200
        assert "JIS X 8341-3:2016" in page.text and "適合レベルAA" in page.text and "人による確認" in page.text

    async def test_the_published_results_hold_keycloaks_login_pages_at_both_widths(
        self, client: httpx.AsyncClient
    ) -> None:
        """scripts/accessibility_report.py runs the login theme's axe walk too; its pages are published by name."""
        results = json.loads(ACCESSIBILITY_RESULTS.read_text(encoding="utf-8"))
        checked = {(page["name"].split("（/")[0], page["width"]) for page in results["pages"]}
        for name in ("ログイン", "ワンタイムパスワード", "ワンタイムパスワードの設定", "ログインのエラー画面"):
            assert {(name, 1280), (name, 683)} <= checked, name
        assert results["violations"] == 0 and results["tests_passed"] is True
        client.cookies.clear()
        page = (await client.get("/accessibility")).text
        assert "ワンタイムパスワードの設定（/realms/tbms/" in page


@pytest.mark.req("N25", partial=True)
class TestHelpTexts:
    async def test_each_page_has_its_help_which_an_administrator_edits_without_a_program_change(
        self,
        client: httpx.AsyncClient,
        login: Login,
        keycloak: FakeKeycloakType,
        backends: respx.MockRouter,
        edits_recorded: respx.Route,
    ) -> None:
        with_roles(keycloak, ["users:update", "patients:update"])
        await login(client)
        page = (await client.get("/patients/new")).text
        assert "この画面の使い方" in page and "郵便番号を入力すると" in page
        editor = await client.get("/admin/help/patients-new")
        assert editor.status_code == 200 and "郵便番号を入力すると" in editor.text
        empty = await client.post("/admin/help/patients-new", data=editor_form(editor.text, "  "))
        assert empty.status_code == 422 and "本文を入力してください。" in empty.text
        assert not edits_recorded.called
        text = "- 新しい説明：<script>alert(1)</script>氏名から入力します。"
        saved = await client.post("/admin/help/patients-new", data=editor_form(editor.text, text))
        assert saved.status_code == 303
        recorded = json.loads(edits_recorded.calls.last.request.content)
        assert recorded == {"slug": "patients-new", "label": "患者登録", "version": 1, "characters": len(text) + 1}
        page = (await client.get("/patients/new")).text
        assert "新しい説明：&lt;script&gt;alert(1)&lt;/script&gt;氏名から入力します。" in page
        assert "郵便番号を入力すると" not in page
        history = text_of((await client.get("/admin/help/patients-new")).text)
        assert "第1版 u1" in history or "第1版" in history

    async def test_a_save_based_on_an_older_version_is_refused_and_shows_the_newer_text(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, edits_recorded: respx.Route
    ) -> None:
        with_roles(keycloak, ["users:update"])
        await login(client)
        first = (await client.get("/admin/help/faq")).text
        second = (await client.get("/admin/help/faq")).text  # another administrator opened it too
        assert (await client.post("/admin/help/faq", data=editor_form(first, "## 先の質問"))).status_code == 303
        late = await client.post("/admin/help/faq", data=editor_form(second, "## 後の質問"))
        assert late.status_code == 409
        assert "他の人が先に保存しました" in late.text and "## 先の質問" in late.text and "## 後の質問" in late.text
        assert edits_recorded.call_count == 1
        assert "先の質問" in (await client.get("/help/faq")).text
        again = await client.post("/admin/help/faq", data=editor_form(late.text, "## 後の質問"))
        assert again.status_code == 303, "saved once the newer version has been seen"
        assert "後の質問" in (await client.get("/help/faq")).text

    async def test_an_older_version_is_reopened_in_the_editor_and_saved_as_a_new_version(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, edits_recorded: respx.Route
    ) -> None:
        with_roles(keycloak, ["users:update"])
        await login(client)
        for text in ("## 第一版の質問", "## 第二版の質問"):
            editor = (await client.get("/admin/help/faq")).text
            assert (await client.post("/admin/help/faq", data=editor_form(editor, text))).status_code == 303
        editor = (await client.get("/admin/help/faq")).text
        assert 'href="/admin/help/faq/versions/1"' in editor and 'href="/admin/help/faq/versions/2"' in editor
        reopened = await client.get("/admin/help/faq/versions/1")
        assert reopened.status_code == 200 and "## 第一版の質問" in reopened.text
        assert "新しい版（第3版）として保存されます" in reopened.text
        assert "第二版の質問" in (await client.get("/help/faq")).text, "reopening changes nothing yet"
        back = await client.post("/admin/help/faq", data=editor_form(reopened.text, "## 第一版の質問"))
        assert back.status_code == 303 and "第一版の質問" in (await client.get("/help/faq")).text
        assert json.loads(edits_recorded.calls.last.request.content)["version"] == 3
        assert (await client.get("/admin/help/faq/versions/9")).status_code == 404

    async def test_a_save_the_operation_history_cannot_record_is_not_kept(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, edits_recorded: respx.Route
    ) -> None:
        with_roles(keycloak, ["users:update"])
        await login(client)
        edits_recorded.mock(return_value=httpx.Response(503))
        editor = (await client.get("/admin/help/faq")).text
        refused = await client.post("/admin/help/faq", data=editor_form(editor, "## 記録されない質問"))
        assert refused.status_code == 503
        assert "記録されない質問" not in (await client.get("/help/faq")).text

    async def test_only_user_administrators_edit(self, browser: httpx.AsyncClient) -> None:
        assert (await browser.get("/admin/help")).status_code == 403
        assert (await browser.get("/admin/help/unknown")).status_code == 403

    async def test_notices_show_on_the_home_page_newest_first_with_wareki_dates(
        self,
        client: httpx.AsyncClient,
        login: Login,
        keycloak: FakeKeycloakType,
        csrf_of: CsrfOf,
        backends: respx.MockRouter,
        last_login: respx.Route,
    ) -> None:
        with_roles(keycloak, ["users:update"])
        await login(client)
        editor = (await client.get("/admin/help/notices")).text
        text = "- 2026-10-01 古いお知らせ\n- 2026-12-02 システムを停止します（12月5日 18時から）\nただの行"
        assert (await client.post("/admin/help/notices", data=editor_form(editor, text))).status_code == 303
        home = text_of((await client.get("/")).text)
        assert "お知らせ 令和8年12月2日 システムを停止します（12月5日 18時から） 令和8年10月1日 古いお知らせ" in home
        assert "ただの行" not in home

    @pytest.mark.req("N07", partial=True)
    async def test_a_planned_stop_is_announced_on_every_page_from_a_week_before_until_it_ends(
        self,
        client: httpx.AsyncClient,
        login: Login,
        keycloak: FakeKeycloakType,
        csrf_of: CsrfOf,
        backends: respx.MockRouter,
        last_login: respx.Route,
    ) -> None:
        with_roles(keycloak, ["users:update"])
        await login(client)
        editor = (await client.get("/admin/help/maintenance")).text
        assert "- 2026-12-20 18:00〜20:00 版の更新のため" in editor  # the shipped example, never announced
        typo = await client.post("/admin/help/maintenance", data=editor_form(editor, "- 12/10 18時から停止"))
        assert typo.status_code == 422 and "「- 12/10 18時から停止」を停止の予定として読めません。" in typo.text
        text = (
            "- 2026-12-10 18:00〜20:00 版の更新のため、システムを停止します。\n"
            "- 2026-12-10 21:00〜2026-12-11 06:00 機器の保守のため、停止します。\n"
            "- 2026-12-30 18:00〜20:00 まだ先の停止\n"
            "- 2026-12-01 18:00〜20:00 終わった停止"
        )
        assert (await client.post("/admin/help/maintenance", data=editor_form(editor, text))).status_code == 303
        schedule = (await client.get("/health/maintenance")).json()["windows"]  # identity logs each stop (N18)
        assert schedule[0] == {
            "start": "2026-12-01T18:00:00+09:00",
            "end": "2026-12-01T20:00:00+09:00",
            "text": "終わった停止",
        }
        assert [w["text"] for w in schedule][1:] == [
            "版の更新のため、システムを停止します。",
            "機器の保守のため、停止します。",
            "まだ先の停止",
        ]
        with clock.frozen_at(clock.jst(2026, 12, 3, 17, 59)):  # a week and a minute before: not yet
            assert "保守・停止のお知らせ" not in (await client.get("/admin/help")).text
        with clock.frozen_at(clock.jst(2026, 12, 3, 18, 0)):
            page = text_of((await client.get("/admin/help")).text)
        assert (
            "システム停止の予定 ：令和8年12月10日 18:00〜令和8年12月10日 20:00 版の更新のため、システムを停止します。"
            in page
        )
        assert "機器の保守" not in page and "まだ先の停止" not in page and "終わった停止" not in page
        with clock.frozen_at(clock.jst(2026, 12, 10, 19, 0)):
            page = text_of((await client.get("/admin/help")).text)
        assert "ただいま保守のため停止中です ：令和8年12月10日 18:00" in page
        assert "システム停止の予定 ：令和8年12月10日 21:00〜令和8年12月11日 06:00 機器の保守のため" in page
        with clock.frozen_at(clock.jst(2026, 12, 11, 6, 0)):
            assert "保守・停止のお知らせ" not in (await client.get("/admin/help")).text

    @pytest.mark.req("N07", partial=True)
    async def test_maintenance_mode_tells_users_and_lets_administrators_check(
        self, settings: Settings, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        async for gateway in gateway_with(settings, maintenance_mode=True):
            with_roles(keycloak, ["patients:update"])
            await login(gateway)  # logging in stays open
            page = await gateway.get("/patients")
            assert page.status_code == 503
            assert "保守のため停止しています" in page.text and "入力中の内容は保存されていません" in page.text
            assert (await gateway.get("/help/faq")).status_code == 200
            assert (await gateway.get("/health/live")).status_code == 200
            schedule = await gateway.get("/health/maintenance")  # read by identity's watcher, which logs the mode
            assert schedule.status_code == 200 and schedule.json()["mode"] is True
        async for gateway in gateway_with(settings, maintenance_mode=True):
            with_roles(keycloak, ["users:update"])
            await login(gateway)
            assert (await gateway.get("/admin/help")).status_code == 200  # the administrator checks the system
        async for gateway in gateway_with(settings, maintenance_mode=False):
            with_roles(keycloak, ["users:update"])
            await login(gateway)
            assert "保守のため停止しています" not in (await gateway.get("/admin/help")).text
            assert (await gateway.get("/health/maintenance")).json()["mode"] is False

    async def test_the_faq_and_the_manuals_are_served(self, browser: httpx.AsyncClient) -> None:
        faq = await browser.get("/help/faq")
        assert faq.status_code == 200 and "入力途中で自動ログアウトされました" in faq.text
        for name, title in (
            ("user", "利用者マニュアル"),
            ("admin", "管理者マニュアル"),
            ("operations", "運用マニュアル"),
        ):
            manual = await browser.get(f"/help/manuals/{name}")
            assert manual.status_code == 200 and f"<h1>{title}</h1>" in manual.text, name
        assert (await browser.get("/help/manuals/other")).status_code == 404
        assert (
            'src="/static/manuals/registration-confirm.png" alt="確認画面"'
            in (await browser.get("/help/manuals/user")).text
        )

    def test_the_built_manuals_are_those_of_the_markdown_in_docs(self) -> None:
        check = [sys.executable, str(ROOT / "scripts" / "build_manuals.py"), "--check"]
        assert subprocess.run(check, capture_output=True, check=False).returncode == 0


@pytest.mark.req("N27", partial=True)
class TestRegistrationForm:
    async def test_the_form_focuses_its_first_field_keeps_a_draft_and_has_no_reset_button(
        self, browser: httpx.AsyncClient
    ) -> None:
        html = (await browser.get("/patients/new")).text
        assert re.search(r'<form [^>]*data-focus-first data-draft="patients-new"', html)
        assert 'type="reset"' not in html and "window.open" not in html
        assert "S450301" in html and "例: 154-0017" in html and "data-postal-lookup" in html
        assert 'data-shown-when="disease.form=extrapulmonary|both"' in html
        assert 'aria-keyshortcuts="/"' in html and "「/」キー" in html

    async def test_postal_codes_come_from_the_shipped_table_or_a_configured_one(
        self, browser: httpx.AsyncClient, settings: Settings, login: Login, tmp_path: Path
    ) -> None:
        found = await browser.get("/postal-codes/１５４－００１７")
        assert found.json() == {"postal_code": "１５４－００１７", "address": "東京都世田谷区世田谷"}
        missing = await browser.get("/postal-codes/9999999")
        assert missing.status_code == 404 and "郵便番号表にありません" in missing.json()["detail"]
        table = tmp_path / "postal.csv"
        table.write_text("postal_code,address\n100-0001,東京都千代田区千代田\n", encoding="utf-8")
        async for other in gateway_with(settings, postal_code_file=str(table)):
            await login(other)
            assert (await other.get("/postal-codes/1000001")).json()["address"] == "東京都千代田区千代田"

    @pytest.mark.req("N26", partial=True)
    async def test_a_name_with_gaiji_is_warned_with_what_outputs_show(self, browser: httpx.AsyncClient) -> None:
        fragment = text_of((await browser.get("/text-check", params={"name": "髙橋　　𠮷子"})).text)
        assert "「𠮷」（U+20BB7）" in fragment and "「髙」（U+9AD9）" in fragment
        assert (
            "CSV出力（Excel用・CP932） 髙橋 〓子" in fragment
            and "NESID（感染症サーベイランスシステム） 〓橋 〓子" in fragment
        )
        assert (await browser.get("/text-check", params={"name": "試験 花子"})).text.strip() == ""

    @pytest.mark.req("N26", partial=True)
    async def test_a_refusing_health_center_refuses_the_name_beside_the_field(
        self, settings: Settings, login: Login, csrf_of: CsrfOf, backends: respx.MockRouter, tmp_path: Path
    ) -> None:
        registered = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
        substitutes = tmp_path / "gaiji.json"
        substitutes.write_text(json.dumps({"𠮷": "吉"}), encoding="utf-8")
        typed = {"name": "𠮷田 花子", "name_kana": "ヨシダ ハナコ", "sex": "female", "birth_date": "S45.3.1"}
        typed |= {"category": "patient"}
        async for other in gateway_with(settings, gaiji_mode="refuse"):
            await login(other)
            token = csrf_of((await other.get("/patients/new")).text)
            refused = await other.post("/patients", data={"csrf_token": token, **typed})
            assert refused.status_code == 422 and not registered.called
            assert 'id="f-name-error"' in refused.text and "この保健所では登録できません" in refused.text
        async for other in gateway_with(settings, gaiji_mode="substitute", gaiji_substitutes_file=str(substitutes)):
            await login(other)
            token = csrf_of((await other.get("/patients/new")).text)
            confirming = text_of((await other.post("/patients", data={"csrf_token": token, **typed})).text)
            assert (
                "登録した代替文字で帳票・CSV・NESIDに出力します" in confirming
                and "入力した表記 𠮷田 花子" in confirming
            )
            assert "CSV出力（Excel用・CP932） 吉田 花子" in confirming and not registered.called

    async def test_required_fields_and_unreadable_dates_are_refused_before_the_confirmation(
        self, browser: httpx.AsyncClient, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        token = csrf_of((await browser.get("/patients/new")).text)
        typed = {"csrf_token": token, "name": "試験 花子", "birth_date": "450301", "category": "patient"}
        refused = await browser.post("/patients", data=typed)
        assert refused.status_code == 422 and "data-draft-filled" in refused.text
        assert "カナを入力してください。" in refused.text and "性別を選んでください。" in refused.text
        assert "元号が分かりません" in refused.text and 'value="試験 花子"' in refused.text


class TestPatientList:
    @pytest.mark.req("N12", partial=True)
    async def test_the_list_pages_through_every_patient(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{PATIENTS}/patients").mock(
            return_value=httpx.Response(200, json={"items": [PATIENT], "total": 120})
        )
        html = (await browser.get("/patients", params={"page": 2})).text
        assert route.calls.last.request.url.params["offset"] == "50"
        pages = "/patients?sort=registered_on&amp;order=desc&amp;page="  # the list's order travels with its pages
        assert "3ページ中2ページ目" in html and f'href="{pages}3" rel="next"' in html
        assert f'href="{pages}2" aria-current="page"' in html and 'class="table table--list"' in html


class TestTreatmentProposal:
    async def test_a_standard_regimen_proposes_the_planned_end(self, browser: httpx.AsyncClient) -> None:
        params = {"regimen": "2HREZ/4HR", "started_on": "R8.11.1", "target": "f-tf-new-planned_end_on"}
        html = text_of((await browser.get("/patients/planned-end", params=params)).text)
        assert "終了予定日の目安： 令和9年4月30日（2027年4月30日） （2HREZ/4HR、開始日から6か月）" in html
        button = (await browser.get("/patients/planned-end", params=params)).text
        assert 'data-fill="f-tf-new-planned_end_on" data-value="R9.4.30"' in button
        nine = text_of((await browser.get("/patients/planned-end", params=params | {"regimen": "2HRE/7HR"})).text)
        assert "令和9年7月31日" in nine and "9か月" in nine
        for regimen, start in (("MDR", "R8.11.1"), ("other", "R8.11.1"), ("2HREZ/4HR", ""), ("2HREZ/4HR", "R8.13.1")):
            answer = await browser.get("/patients/planned-end", params={"regimen": regimen, "started_on": start})
            assert answer.text.strip() == "", (regimen, start)
        odd = await browser.get("/patients/planned-end", params=params | {"target": '"><script>'})
        assert "data-fill" not in odd.text


async def test_the_export_page_offers_the_districts_as_a_list(browser: httpx.AsyncClient) -> None:
    html = (await browser.get("/patients/export")).text
    select = html[
        html.index('<select id="f-district"') : html.index("</select>", html.index('<select id="f-district"'))
    ]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "世田谷", "北沢", "玉川", "砧", "烏山"]


@pytest.mark.req("N26", partial=True)
@pytest.mark.req("N11")
class TestGaijiMaster:
    """The 外字 master (masters' kind "gaiji") is the health center's table of substitutes for the input check."""

    async def test_a_registered_private_use_gaiji_is_accepted_and_an_unknown_one_is_flagged(
        self, settings: Settings, login: Login, csrf_of: CsrfOf, backends: respx.MockRouter
    ) -> None:
        registered = backends.post(f"{PATIENTS}/patients").mock(return_value=httpx.Response(201, json=PATIENT))
        entry = {"kind": "gaiji", "code": "U+E000", "name": "\ue000（辺）", "kana": "ナベ"}
        entry |= {"data": {"character": "\ue000", "substitute": "辺", "note": ""}}
        backends.routes["gaiji"].mock(return_value=httpx.Response(200, json={"items": [entry], "total": 1}))
        typed = {"name_kana": "ワタナベ ハナコ", "sex": "female", "birth_date": "S45.3.1", "category": "patient"}
        async for other in gateway_with(settings, gaiji_mode="substitute"):
            await login(other)
            token = csrf_of((await other.get("/patients/new")).text)
            known = await other.post("/patients", data={"csrf_token": token, "name": "渡\ue000 花子", **typed})
            unknown = await other.post("/patients", data={"csrf_token": token, "name": "渡\ue001 花子", **typed})
            fragment = text_of((await other.get("/text-check", params={"name": "渡\ue001"})).text)

        confirming = text_of(known.text)
        assert known.status_code == 200 and "CSV出力（Excel用・CP932） 渡辺 花子" in confirming
        assert unknown.status_code == 422 and "U+E001は私用領域の文字で、外字マスタに登録されていません" in unknown.text
        assert "U+E001は私用領域の文字" in fragment and not registered.called
