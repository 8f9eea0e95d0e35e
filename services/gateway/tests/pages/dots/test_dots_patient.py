"""A patient's DOTS page (R07): the plan in force with its next confirmation due and why, adherence per week and
for the course, interruptions, and the month calendar entered from the keyboard and sent as one request."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx

from ...conftest import csrf_token, text_of
from .conftest import DOTS, PATIENT_ID, RECORDED, error, mock_dots_patient, recorded

pytestmark = pytest.mark.req("R07", partial=True)
PAGE = f"/dots/patients/{PATIENT_ID}"
NOVEMBER = f"{PAGE}?month=2026-11"


def section(html: str, title_id: str) -> str:
    """The text of the section headed by this id."""
    start = html.index(f'id="{title_id}"')
    return text_of(html[start : html.index("</section>", start)])


class TestWhatThePageShows:
    async def test_the_plan_in_force_with_supporters_conference_and_the_assessments_suggestion(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends)
        plan = section((await browser.get(NOVEMBER)).text, "plan-title")
        assert "DOTSの種類 外来DOTS" in plan and "支援強度 B（支援が必要：週1〜2回以上）（確認の間隔 7日以内）" in plan
        assert "支援者 保健師：試験 花子（保健所）、薬局：見本薬局（世田谷区）" in plan
        assert "DOTSカンファレンス 令和8年10月3日（参加：主治医 見本 一郎、保健師 試験 花子）" in plan
        assert "本人の同意 令和8年10月3日（口頭で同意）" in plan and "目標 6か月の服薬を完了する" in plan
        assert "支援の必要度 B：提案されるDOTSの種類は「外来DOTS」です" in plan

    async def test_adherence_for_the_course_and_per_week_the_interruption_and_the_next_due_with_its_reason(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends)
        shown = section((await browser.get(NOVEMBER)).text, "adherence-title")
        assert "次の確認予定 令和8年12月7日（最終確認日（令和8年11月30日）から7日後（支援強度B））" in shown
        assert "服薬率（治療全体） 42.2% （服用を確認 27日 ÷ 治療日数 64日" in shown
        assert "未服用 2日、不明 1日、未確認 34日" in shown
        assert "令和8年11月4日〜令和8年11月5日（2日連続）" in shown
        assert "第5週 令和8年10月29日〜令和8年11月4日 7日 3日 1日 0日 42.9%" in shown
        assert "コホート判定 判定不能：治療中のため判定前です" in shown

    async def test_the_calendar_has_a_row_per_day_with_status_and_method_and_month_links(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        routes = mock_dots_patient(backends)
        html = (await browser.get(NOVEMBER)).text
        asked = routes["confirmations"].calls.last.request.url.params
        assert (asked["first"], asked["last"]) == ("2026-11-01", "2026-11-30")
        calendar = section(html, "calendar-title")
        assert "服薬確認（令和8年11月（2026年11月））" in calendar
        assert "記録済み：服用 27日、未服用 2日、不明 1日、未入力 0日" in calendar
        assert len(re.findall(r'<tr id="day-\d+">', html)) == 30
        assert 'id="s4-1" name="s4" type="radio" value="missed" checked' in html
        assert re.search(r'<select id="m4" name="m4"[^>]*>.*?<option value="phone" selected>', html, re.S)
        assert '<legend class="visually-hidden">11月4日（水）の服薬の状況</legend>' in html
        assert f'href="{PAGE}?month=2026-10#calendar-title">前の月' in html
        assert f'href="{PAGE}?month=2026-12#calendar-title">次の月' in html

    async def test_days_after_today_cannot_be_entered(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends, confirmations=[])
        html = (await browser.get(f"{PAGE}?month=2026-12")).text
        assert 'name="s3"' in html and 'name="s4"' not in html
        assert "12月4日（金） （明日以降）" in text_of(html)

    async def test_an_unreadable_month_says_how_to_write_it(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends)
        assert "月は「2026-11」の形で指定してください。" in (await browser.get(f"{PAGE}?month=11月")).text


class TestCalendarEntry:
    async def test_quick_fill_sets_every_empty_day_to_taken_face_to_face_without_saving(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends, confirmations=[])
        sent = backends.post(f"{DOTS}/confirmations/calendar")
        token = csrf_token((await browser.get(NOVEMBER)).text)
        filled = await browser.post(f"{PAGE}/calendar", data={"csrf_token": token, "month": "2026-11", "fill": "1"})
        assert filled.status_code == 200 and not sent.called
        assert "未入力の30日を「服用（対面）」にしました。まだ保存していません。" in filled.text
        assert filled.text.count('value="taken" checked') == 30
        assert filled.text.count('<option value="face_to_face" selected>') == 30

    async def test_a_month_is_sent_as_one_request_with_only_new_and_changed_days(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        stored = recorded("confirmations")["items"][:2]  # the 1st and 2nd are recorded
        mock_dots_patient(backends, confirmations=stored)
        route = backends.post(f"{DOTS}/confirmations/calendar").mock(
            return_value=httpx.Response(200, json=RECORDED["calendar"])
        )
        token = csrf_token((await browser.get(NOVEMBER)).text)
        data = {"csrf_token": token, "month": "2026-11"}
        data |= {"s1": "taken", "m1": "face_to_face"}  # unchanged: not sent
        data |= {"s2": "missed", "m2": "phone", "n2": "電話に出ず"}  # a correction, with its version
        data |= {"s3": "taken", "m3": "empty_packet", "s4": "", "m4": ""}  # a new day; an empty day is left out
        saved = await browser.post(f"{PAGE}/calendar", data=data)
        assert saved.status_code == 303 and saved.headers["location"] == NOVEMBER
        items = json.loads(route.calls.last.request.content)["items"]
        assert items == [
            {"confirmed_on": "2026-11-02", "status": "missed", "method": "phone", "note": "電話に出ず", "version": 1},
            {"confirmed_on": "2026-11-03", "status": "taken", "method": "empty_packet", "note": ""},
        ]
        assert "令和8年11月（2026年11月）の服薬確認を2日分保存しました。" in (await browser.get(NOVEMBER)).text

    async def test_each_refused_day_shows_its_message_beside_that_day_with_the_input_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends, confirmations=[])
        backends.post(f"{DOTS}/confirmations/calendar").mock(return_value=error("calendar_422", 422))
        token = csrf_token((await browser.get(NOVEMBER)).text)
        data = {"csrf_token": token, "month": "2026-11", "s5": "taken", "m5": "", "s6": "unknown", "m6": "video"}
        refused = await browser.post(f"{PAGE}/calendar", data=data)
        assert refused.status_code == 422
        html = refused.text
        assert 'id="m5-error"' in html and "確認方法が選択肢にありません。" in html
        assert 'id="s6-error"' in html and "服薬の状況を選んでください。" in html
        summary = text_of(
            html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
        )
        assert "11月5日（木）：確認方法が選択肢にありません。" in summary and "まだ何も保存されていません" in summary
        assert 'href="#m5"' in html and 'href="#s6-0"' in html
        assert 'id="s6-2" name="s6" type="radio" value="unknown" checked' in html
        assert '<option value="video" selected>' in html

    async def test_a_day_saved_by_someone_else_first_is_named_and_the_month_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends, confirmations=[])
        backends.post(f"{DOTS}/confirmations/calendar").mock(return_value=error("calendar_stale", 422))
        token = csrf_token((await browser.get(NOVEMBER)).text)
        data = {"csrf_token": token, "month": "2026-11", "s2": "taken", "m2": "face_to_face"}
        refused = await browser.post(f"{PAGE}/calendar", data=data)
        assert refused.status_code == 422 and 'id="s2-error"' in refused.text
        assert "この日の服薬確認は既に記録されています（修正には版が必要です）。" in refused.text

    async def test_a_stale_version_is_a_409_in_japanese_with_the_input_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends, confirmations=recorded("confirmations")["items"][:1])
        backends.post(f"{DOTS}/confirmations/calendar").mock(return_value=error("plan_409", 409))
        token = csrf_token((await browser.get(NOVEMBER)).text)
        data = {"csrf_token": token, "month": "2026-11", "s1": "missed", "m1": "phone"}
        refused = await browser.post(f"{PAGE}/calendar", data=data)
        assert refused.status_code == 409 and "他の利用者によって更新されています" in refused.text
        assert 'id="s1-1" name="s1" type="radio" value="missed" checked' in refused.text

    async def test_nothing_changed_is_said_and_nothing_sent(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_dots_patient(backends, confirmations=[])
        route = backends.post(f"{DOTS}/confirmations/calendar")
        token = csrf_token((await browser.get(NOVEMBER)).text)
        refused = await browser.post(f"{PAGE}/calendar", data={"csrf_token": token, "month": "2026-11"})
        assert refused.status_code == 422 and "保存する変更がありません。" in refused.text and not route.called


async def test_an_ltbi_course_says_its_completion_by_doses(
    browser: httpx.AsyncClient, backends: respx.MockRouter
) -> None:
    routes = mock_dots_patient(backends)
    course = recorded("course")
    ltbi = {"regimen": "6H", "regimen_label": "INH 6か月", "status": "on_treatment", "label": "治療中"}
    course["items"][0]["ltbi"] = ltbi | {
        "doses_taken": 27,
        "doses_needed": 180,
        "why": "必要服薬数180回のうち27回服薬。",
    }
    routes["course"].mock(return_value=httpx.Response(200, json=course))
    shown = section((await browser.get(NOVEMBER)).text, "adherence-title")
    assert "LTBIの治療完了 治療中（INH 6か月：必要服薬数180回のうち27回服薬。）" in shown
