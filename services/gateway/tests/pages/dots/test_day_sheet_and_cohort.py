"""The nurse's day sheet (one line per patient with what is due and a one-line confirmation form) and the
コホート検討会 list (computed outcome with its rule, override, adherence, counts and the DOTS rate's denominator,
LTBI apart) (R07); and what a user without 患者管理 更新 sees."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from ...conftest import PATIENTS, FakeKeycloakType, Login, csrf_token, nav_of, text_of, with_roles
from .conftest import DOTS, PATIENT_ID, RECORDED, error, mock_cohort, mock_day_sheet, mock_dots_patient, recorded

pytestmark = pytest.mark.req("R07", partial=True)
SHEET = "/dots/day-sheet?day=2026-12-03"


class TestDaySheet:
    async def test_one_line_per_patient_with_plan_last_confirmation_and_due_date_with_its_reason(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        route = mock_day_sheet(backends)
        html = (await browser.get(SHEET)).text
        assert route.calls.last.request.url.params["day"] == "2026-12-03"
        line = text_of(html[html.index(f'id="line-{PATIENT_ID}"') : html.index("</tr>", html.index("line-"))])
        assert "試験 太郎 シケン タロウ 2026-00001" in line and "外来DOTS・B（支援が必要：週1〜2回以上）" in line
        assert (
            "令和8年11月30日" in line and "令和8年12月7日 最終確認日（令和8年11月30日）から7日後（支援強度B）" in line
        )
        assert 'action="/dots/day-sheet"' in html and f'id="s-{PATIENT_ID}"' in html and f'id="m-{PATIENT_ID}"' in html
        assert "服薬確認の予定（令和8年12月3日（2026年12月3日））" in text_of(html)
        assert '<option value="face_to_face" selected>' in html, "an outpatient plan's usual method comes first"
        assert 'href="/dots/day-sheet?day=2026-12-02">前の日' in html and "服薬支援" in nav_of(html)

    async def test_a_line_due_today_says_so_in_words(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        sheet = recorded("day_sheet")
        sheet["items"][0] |= {"due_on": "2026-12-01", "due_today": True}
        mock_day_sheet(backends, sheet)
        assert "期限超過" in (await browser.get(SHEET)).text

    async def test_a_line_is_recorded_for_that_patient_and_day_and_the_save_is_said(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_day_sheet(backends)
        sent = backends.post(f"{DOTS}/confirmations").mock(
            return_value=httpx.Response(201, json=RECORDED["confirmation"])
        )
        token = csrf_token((await browser.get(SHEET)).text)
        data = {"csrf_token": token, "day": "2026-12-03", "patient_id": PATIENT_ID, "name": "試験 太郎"}
        saved = await browser.post("/dots/day-sheet", data=data | {"status": "taken", "method": "face_to_face"})
        assert saved.status_code == 303 and saved.headers["location"] == SHEET
        body = json.loads(sent.calls.last.request.content)
        assert body == {"confirmed_on": "2026-12-03", "status": "taken", "method": "face_to_face", "note": ""}
        mock_day_sheet(backends, recorded("day_sheet_after"))
        after = (await browser.get(SHEET)).text
        assert "試験 太郎さんの令和8年12月3日の服薬確認を保存しました。" in after and "記録済み：服用（対面）" in after

    async def test_a_refused_line_shows_the_message_beside_it_with_the_choice_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_day_sheet(backends)
        backends.post(f"{DOTS}/confirmations").mock(return_value=error("confirmation_422", 422))
        token = csrf_token((await browser.get(SHEET)).text)
        data = {"csrf_token": token, "day": "2026-12-03", "patient_id": PATIENT_ID, "name": "試験 太郎"}
        refused = await browser.post("/dots/day-sheet", data=data | {"status": "missed", "method": "phone"})
        assert refused.status_code == 422
        assert (
            f'id="s-{PATIENT_ID}-error"' in refused.text and "この日の服薬確認は既に記録されています。" in refused.text
        )
        assert '<option value="missed" selected>' in refused.text and '<option value="phone" selected>' in refused.text
        assert f'href="#s-{PATIENT_ID}"' in refused.text

    async def test_an_unreadable_day_is_said_beside_the_date_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_day_sheet(backends)
        page = await browser.get("/dots/day-sheet?day=あした")
        assert page.status_code == 422 and 'id="day-error"' in page.text and "日付を読み取れません。" in page.text


class TestCohort:
    async def test_each_course_with_the_computed_outcome_its_rule_the_override_and_its_reason(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_cohort(backends)
        html = (await browser.get("/dots/cohort?period=2026q4")).text
        courses = text_of(html[html.index('id="courses-title"') :])
        assert (
            "試験 太郎 2026-00001 2HREZ/4HR 令和8年10月1日開始 治療完了 判定を変更 規則による判定：判定不能" in courses
        )
        assert "理由：主治医の判断" in courses and "治療中のため判定前です（令和8年12月3日現在）。" in courses
        assert "43.8% 服用 28日 ÷ 64日" in courses and "外来DOTS" in courses and "検討会で確認" in courses

    async def test_the_counts_per_outcome_and_the_dots_rate_with_its_denominator_spelled_out(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_cohort(backends)
        html = text_of((await browser.get("/dots/cohort?period=2026Q4")).text)
        assert "100.0% （支援計画のある患者 1人 ÷ 分母 1人）" in html
        assert "新規登録（治療開始） 1人 ＋ 転入 0人 − 治療開始から1か月以内の死亡 0人 − 転出 0人 ＝ 分母 1人" in html
        assert "治療完了 1人 0人" in html and "判定不能 0人 1人" in html
        assert "この期間に治療を始めたLTBIの患者はいません。" in html

    @pytest.mark.req("R07", partial=True)
    async def test_the_list_is_paged_and_the_page_asked_is_sent(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_cohort(backends)
        paged = recorded("cohort")
        paged["paging"] = {"limit": 100, "offset": 100, "total": 250}
        paged["ltbi"]["paging"] = {"limit": 100, "offset": 0, "total": 0}
        route = backends.get(f"{PATIENTS}/dots/cohort").mock(return_value=httpx.Response(200, json=paged))
        html = (await browser.get("/dots/cohort?period=2026Q4&offset=100")).text
        assert route.calls.last.request.url.params["offset"] == "100"
        assert route.calls.last.request.url.params["ltbi_offset"] == "0"
        shown = text_of(html)
        assert "治療ごとの判定（結核 250人）" in shown and "全250人のうち 101〜200人目を表示しています。" in shown
        assert 'href="/dots/cohort?period=2026Q4&amp;offset=0&amp;ltbi_offset=0">前の100人' in html
        assert 'href="/dots/cohort?period=2026Q4&amp;offset=200&amp;ltbi_offset=0">次の100人' in html
        assert "判定ごとの人数とDOTS実施率は期間全体の集計です" in shown
        assert (await browser.get("/dots/cohort?period=2026Q4&offset=-1")).status_code == 400

    async def test_a_period_patients_cannot_read_is_said_beside_the_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_cohort(backends)
        page = await browser.get("/dots/cohort?period=令和元年")
        assert page.status_code == 422 and 'id="period-error"' in page.text
        assert "期間は年（2025）または四半期（2025Q1）で指定してください。" in page.text


class TestReadOnly:
    @pytest.fixture
    async def viewer(self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType) -> httpx.AsyncClient:
        with_roles(keycloak, ["patients:read"])
        await login(client)
        return client

    async def test_without_update_the_pages_show_the_records_and_say_so_where_the_forms_would_be(
        self, viewer: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends)
        page = (await viewer.get(f"/dots/patients/{PATIENT_ID}?month=2026-11")).text
        assert (
            'method="post"' not in page[page.index("<main") : page.index("</main>")]
            and "この項目を修正する権限がありません" in page
        )
        assert "11月4日（水） 未服用 電話 電話に出ず" in text_of(page)
        mock_day_sheet(backends)
        sheet = (await viewer.get(SHEET)).text
        assert (
            'method="post"' not in sheet[sheet.index("<main") : sheet.index("</main>")]
            and "この項目を修正する権限がありません" in sheet
        )
        assert "服薬支援" in nav_of(sheet)

    async def test_a_post_without_update_is_refused_before_patients_is_asked(
        self, viewer: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends)
        sent = backends.post(f"{DOTS}/confirmations/calendar")
        token = csrf_token((await viewer.get(f"/dots/patients/{PATIENT_ID}")).text)
        refused = await viewer.post(f"/dots/patients/{PATIENT_ID}/calendar", data={"csrf_token": token, "s1": "taken"})
        assert refused.status_code == 403 and not sent.called

    async def test_without_patient_access_there_is_no_menu_entry_and_no_page(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["contacts:read"])
        await login(client)
        assert "服薬支援" not in nav_of((await client.get("/")).text)
        assert (await client.get("/dots/day-sheet")).status_code == 403
