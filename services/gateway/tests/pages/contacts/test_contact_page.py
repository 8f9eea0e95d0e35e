"""A contact's page (R12, R13): identity and exposures, the priority with the rule's reason, the screening plan
with why each date is what it is, exams entered, corrected and cancelled, the outcome and the edit history."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx

from ...conftest import CONTACTS, csrf_token, text_of
from .conftest import CONTACT, CONTACT_ID, EXAM, EXPOSURE, error, mock_contact

pytestmark = pytest.mark.req("R12", partial=True)
PAGE = f"/contacts/{CONTACT_ID}"


def section(html: str, title_id: str) -> str:
    """The text of the section headed by this id."""
    start = html.index(f'id="{title_id}"')
    return text_of(html[start : html.index("</section>", start)])


async def token_of(browser: httpx.AsyncClient) -> str:
    """The CSRF token of the contact page."""
    return csrf_token((await browser.get(PAGE)).text)


class TestWhatThePageShows:
    async def test_the_header_keeps_name_index_patients_priority_and_next_exam_in_view(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await browser.get(PAGE)).text
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        for fact in ("試験 花子", "区分 接触者", "発端患者 試験 太郎 、 見本 次郎", "優先度 優先（変更あり）"):
            assert fact in header, fact
        assert "次の健診 胸部X線（直ちに）令和8年12月3日" in header and re.search(r"年齢 \d+歳", header)
        assert "集団接触者" not in header, "a contact of no group shows no group"

    async def test_a_member_of_a_group_has_a_link_back_to_its_group(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        group_id = "0190a000-0000-7000-8000-00000000c0de"
        mock_contact(backends, {**CONTACT, "groups": [{"id": group_id, "name": "試験小学校3年2組"}]})
        html = (await browser.get(PAGE)).text
        header = html[html.index('class="patient-header"') : html.index("</section>")]
        assert f'<a href="/requests/groups/{group_id}">試験小学校3年2組</a>' in header
        assert "集団接触者 試験小学校3年2組" in text_of(header)

    async def test_identity_and_each_exposure_with_the_class_the_rules_give_it(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await browser.get(PAGE)).text
        person = section(html, "person-title")
        assert "生年月日 昭和50年4月1日（1975年4月1日）" in person and "発病・重症化のリスク 糖尿病、HIV感染" in person
        exposures = section(html, "exposures-title")
        assert "発端患者： 試験 太郎" in exposures and "接触の場・関係 同居家族（妻）" in exposures
        assert "最終接触日 令和8年11月23日" in exposures and "接触時間の合計 600時間" in exposures
        assert "接触者の区分 ハイリスク接触者（HIV感染のため）" in exposures
        assert "発端患者の感染性 未評価" in exposures, "the second exposure, judged as high"

    async def test_the_priority_with_the_suggestion_its_reason_and_the_override_with_its_reason(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        priority = section((await browser.get(PAGE)).text, "priority-title")
        assert "優先度 優先 （提案から変更）" in priority
        assert "規則による提案 最優先（発端患者が高感染性、ハイリスク接触者（HIV感染のため））" in priority
        assert "変更の理由 接触は短時間と判明" in priority and "未確認の基準" in priority

    @pytest.mark.req("R13", partial=True)
    async def test_the_plan_says_why_each_date_and_flags_rules_not_yet_confirmed(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await browser.get(PAGE)).text
        plan = section(html, "plan-title")
        assert (
            "IGRA ベースライン 令和8年12月3日 実施済み ハイリスクまたは濃厚な曝露のため直ちにベースライン検査" in plan
        )
        assert "IGRA ウインドウ期後 令和9年1月18日 不要（感染が判明済み）" in plan
        assert "最終接触日（令和8年11月23日）から8週後" in plan
        assert (
            "胸部X線 24か月後 令和10年11月23日 予定 最終接触日（令和8年11月23日）から24か月後（高感染性の発端患者）"
            in plan
        )
        assert "注4 （未確認）" in plan and "未確認の基準 胸部X線は最終接触から6か月後" in plan
        link = f'href="/contacts/{CONTACT_ID}?kind=xray&amp;planned_on=2026-12-03#exam-new-title"'
        assert link in html, "a due item opens the exam entry for it"

    @pytest.mark.req("R13", partial=True)
    async def test_exams_with_results_and_a_cancelled_one_kept_with_its_reason(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await browser.get(PAGE)).text
        exams = section(html, "exams-title")
        assert "IGRA（QFT） 令和8年12月3日 令和8年12月3日 保健所 予約なし 陽性 測定値 0.72 実施済み" in exams
        assert "胸部X線 令和8年12月13日 — — 予約なし — 取消 （重複して登録）" in exams
        assert f'action="/contacts/{CONTACT_ID}/exams/{EXAM["id"]}/cancel"' in html
        assert "胸部X線（令和8年12月13日）を修正" not in html, "a cancelled exam is not corrected any more"

    async def test_the_history_says_which_record_changed_from_what_to_what_in_words(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        history = section((await browser.get(PAGE)).text, "history-title")
        assert "検査（IGRA（QFT）） 第4版 理由：転記誤り" in history and "結果 陰性 陽性" in history
        assert "発病・重症化のリスク 糖尿病 糖尿病、HIV感染" in history and "優先度 （空欄） 優先" in history
        assert "接触状況（発端患者: 見本 次郎）の追加" in history and "発端患者 見本 次郎" in history
        assert "接触状況（発端患者: 試験 太郎）" in history and "接触時間の合計（時間） 500時間 600時間" in history
        assert "最終接触日 令和8年11月13日 令和8年11月23日" in history
        assert "健診の結果（判定） （空欄） LTBI（治療）" in history

    @pytest.mark.req("R15", partial=True)
    async def test_the_menu_leads_to_every_section_the_recommendation_included_in_page_order(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await browser.get(PAGE)).text
        menu = html[html.index('<nav class="page-toc"') : html.index("</nav>", html.index('<nav class="page-toc"'))]
        entries = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', menu)
        assert ("recommendations-title", "勧告") in entries
        places = [html.index(f'<h2 id="{anchor}"') for anchor, _ in entries]
        assert places == sorted(places), entries

    async def test_an_unknown_contact_is_a_japanese_not_found_page(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=error("contact_404", 404))
        backends.get(f"{CONTACTS}/contacts/{CONTACT_ID}/history").mock(return_value=error("contact_404", 404))
        page = await browser.get(PAGE)
        assert page.status_code == 404 and "指定された接触者が見つかりません。" in page.text


class TestCorrections:
    @pytest.mark.req("R15", partial=True)
    async def test_the_identity_is_saved_on_the_version_seen_and_the_page_says_so(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        patch = backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=httpx.Response(200, json=CONTACT))
        data = {"csrf_token": await token_of(browser), "version": "9", "name": "試験 花子", "phone": "03-9999-0000"}
        data |= {"residence": "here", "risk_factors": ["diabetes"], "reason": "本人の申し出"}
        saved = await browser.post(f"{PAGE}/person", data=data)
        assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}#person-title"
        sent = json.loads(patch.calls.last.request.content)
        assert sent["version"] == 9 and sent["reason"] == "本人の申し出"
        assert sent["changes"]["phone"] == "03-9999-0000" and sent["changes"]["risk_factors"] == ["diabetes"]
        assert sent["changes"]["birth_date"] is None and sent["changes"]["symptomatic"] is False
        assert "保存しました。" in (await browser.get(PAGE)).text

    async def test_someone_elses_save_first_is_a_409_in_japanese_with_what_was_typed_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=error("contact_409", 409))
        data = {"csrf_token": await token_of(browser), "version": "8", "name": "試験 花子", "phone": "03-1111-1111"}
        refused = await browser.post(f"{PAGE}/person", data=data)
        assert refused.status_code == 409
        assert "このデータは他の利用者によって更新されています。" in refused.text
        assert f'<a href="{PAGE}">最新の内容で画面を開き直し</a>' in refused.text
        assert 'value="03-1111-1111"' in refused.text and 'name="version" value="8"' in refused.text

    async def test_an_exposure_correction_with_dates_out_of_order_is_refused_beside_the_first_date(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        url = f"{CONTACTS}/contacts/{CONTACT_ID}/exposures/{EXPOSURE['id']}"
        patch = backends.patch(url).mock(return_value=error("exposure_422b", 422))
        data = {"csrf_token": await token_of(browser), "version": "9", "setting": "household"}
        data |= {"first_contact_on": "R8.12.3", "last_contact_on": "R8.11.23", "hours": "600"}
        refused = await browser.post(f"{PAGE}/exposures/{EXPOSURE['id']}", data=data)
        sent = json.loads(patch.calls.last.request.content)["changes"]
        assert sent["last_contact_on"] == "R8.11.23" and sent["hours"] == "600" and sent["closed_room"] is False
        error_id = f"f-exp-{EXPOSURE['id']}-first_contact_on-error"
        assert refused.status_code == 422 and re.search(
            rf'id="{error_id}"[^>]*>.*初回接触日が最終接触日より後', refused.text
        )

    async def test_an_override_without_a_reason_is_refused_beside_the_reason(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        patch = backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=error("override_422", 422))
        data = {"csrf_token": await token_of(browser), "version": "9", "priority_override": "low"}
        refused = await browser.post(f"{PAGE}/priority", data=data)
        assert json.loads(patch.calls.last.request.content)["changes"] == {
            "priority_override": "low",
            "priority_reason": "",
        }
        assert refused.status_code == 422
        assert re.search(r'id="f-priority-priority_reason-error"[^>]*>.*理由を入力してください', refused.text)

    async def test_going_back_to_the_suggestion_sends_an_empty_override(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        patch = backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=httpx.Response(200, json=CONTACT))
        data = {"csrf_token": await token_of(browser), "version": "9", "priority_override": "", "priority_reason": ""}
        saved = await browser.post(f"{PAGE}/priority", data=data)
        assert saved.headers["location"] == f"{PAGE}#priority-title"
        assert json.loads(patch.calls.last.request.content)["changes"]["priority_override"] == ""

    async def test_the_outcome_and_the_end_of_the_follow_up(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        patch = backends.patch(f"{CONTACTS}/contacts/{CONTACT_ID}").mock(return_value=httpx.Response(200, json=CONTACT))
        end = backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/end").mock(return_value=error("end_422", 422))
        token = await token_of(browser)
        saved = await browser.post(
            f"{PAGE}/outcome", data={"csrf_token": token, "version": "9", "outcome": "no_disease", "outcome_on": ""}
        )
        assert saved.status_code == 303
        assert json.loads(patch.calls.last.request.content)["changes"] == {"outcome": "no_disease", "outcome_on": None}
        refused = await browser.post(f"{PAGE}/end", data={"csrf_token": token, "version": "9", "ended_on": ""})
        assert json.loads(end.calls.last.request.content) == {"version": 9, "ended_on": "", "reason": None, "note": ""}
        assert refused.status_code == 422
        assert re.search(r'id="f-end-ended_on-error"[^>]*>.*日付を入力してください。', refused.text)
        assert re.search(r'id="f-end-reason-error"[^>]*>.*選択肢から選んでください。', refused.text)


@pytest.mark.req("R13", partial=True)
class TestExams:
    async def test_a_plan_items_link_prefills_the_new_exam(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await browser.get(PAGE, params={"kind": "xray", "planned_on": "2026-12-03"})).text
        assert re.search(r'<details class="disclosure" open>\s*<summary><h3 id="exam-new-title"', html)
        assert '<option value="xray" selected>' in html and 'id="f-exam-new-planned_on" name="planned_on"' in html
        assert re.search(r'id="f-exam-new-planned_on" name="planned_on" type="text" value="R8.12.3"', html)

    async def test_a_result_is_recorded_with_only_the_items_of_its_kind(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        record = backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/exams").mock(
            return_value=httpx.Response(201, json=EXAM)
        )
        data = {"csrf_token": await token_of(browser), "kind": "igra_tspot", "planned_on": "R8.12.3"}
        data |= {"done_on": "R8.12.3", "institution": "保健所", "result": "negative", "value": "2"}
        data |= {"induration_mm": "12", "finding": "bII2"}
        saved = await browser.post(f"{PAGE}/exams", data=data)
        assert saved.status_code == 303 and saved.headers["location"] == f"{PAGE}#exams-title"
        sent = json.loads(record.calls.last.request.content)
        assert sent == {
            "kind": "igra_tspot",
            "planned_on": "R8.12.3",
            "done_on": "R8.12.3",
            "institution": "保健所",
            "institution_code": "",
            "result": "negative",
            "value": "2",
            "note": "",
        }, "ツ反 and X-ray items typed by mistake are not sent with an IGRA"
        assert "検査を登録しました。" in (await browser.get(PAGE)).text

    @pytest.mark.req("F24", partial=True)
    async def test_an_xray_is_recorded_with_its_irradiation_conditions_for_the_irradiation_record(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        html = (await browser.get(PAGE)).text
        assert "照射条件（胸部X線のとき。照射録（F24）に印刷します）" in html
        assert 'id="f-exam-new-irradiation-kv" name="irradiation.kv"' in html
        record = backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/exams").mock(
            return_value=httpx.Response(201, json=EXAM)
        )
        data = {"csrf_token": await token_of(browser), "kind": "xray", "done_on": "R8.12.3", "result": "normal"}
        data |= {"irradiation.projection": "pa", "irradiation.kv": "120", "irradiation.ma": "320"}
        data |= {
            "irradiation.time_s": "0.01",
            "irradiation.radiographer": "試験 技師",
            "irradiation.physician": "試験 医師",
        }
        saved = await browser.post(f"{PAGE}/exams", data=data)
        assert saved.status_code == 303
        sent = json.loads(record.calls.last.request.content)
        assert sent["irradiation"] == {
            "projection": "pa",
            "exposures": None,
            "kv": "120",
            "ma": "320",
            "time_s": "0.01",
            "mas": None,
            "distance_cm": None,
            "device": "",
            "radiographer": "試験 技師",
            "physician": "試験 医師",
            "instruction": "",
        }
        data = {"csrf_token": await token_of(browser), "kind": "igra_qft", "done_on": "R8.12.3"}
        data |= {"irradiation.kv": "120"}
        await browser.post(f"{PAGE}/exams", data=data)
        assert "irradiation" not in json.loads(record.calls.last.request.content), "conditions only with an X-ray"
        data = {"csrf_token": await token_of(browser), "kind": "xray", "planned_on": "R8.12.3"}
        await browser.post(f"{PAGE}/exams", data=data)
        assert json.loads(record.calls.last.request.content)["irradiation"] is None, "nothing entered: none"

    @pytest.mark.req("F24", partial=True)
    async def test_an_xrays_correction_form_shows_its_stored_conditions(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        conditions = {"projection": "pa", "projection_label": "正面（PA・立位）", "kv": 120.0, "mas": 3.2}
        conditions |= {"ma": None, "time_s": None, "radiographer": "試験 技師", "physician": "試験 医師"}
        xray = EXAM | {"id": "5a1d2c3e-0000-4000-8000-0000000000a1", "kind": "xray", "kind_label": "胸部X線"}
        xray |= {"status": "done", "result": "normal", "irradiation": conditions}
        mock_contact(backends, CONTACT | {"exams": [xray]})
        html = (await browser.get(PAGE)).text
        form_id = f"f-exam-{xray['id']}"
        assert f'id="{form_id}-irradiation-kv" name="irradiation.kv" type="text" value="120"' in html
        assert f'id="{form_id}-irradiation-mas" name="irradiation.mas" type="text" value="3.2"' in html
        assert (
            f'id="{form_id}-irradiation-radiographer" name="irradiation.radiographer" type="text" value="試験 技師"'
            in html
        )

    @pytest.mark.req("F24", partial=True)
    async def test_a_refused_condition_is_shown_beside_its_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        message = "管電流時間積（30 mAs）が管電流×照射時間（3.2 mAs）と合いません。"
        refusal = {"detail": "入力内容に誤りがあります。", "errors": {"irradiation.mas": message}}
        backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/exams").mock(return_value=httpx.Response(422, json=refusal))
        data = {"csrf_token": await token_of(browser), "kind": "xray", "done_on": "R8.12.3", "irradiation.mas": "30"}
        html = (await browser.post(f"{PAGE}/exams", data=data)).text
        assert re.search(r'id="f-exam-new-irradiation-mas-error"[^>]*>.*と合いません', html)
        assert 'name="irradiation.mas" type="text" value="30"' in html

    async def test_a_refused_exam_shows_each_message_beside_its_field(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/exams").mock(return_value=error("exam_422", 422))
        data = {"csrf_token": await token_of(browser), "kind": "tst", "result": "normal", "erythema_mm": "3"}
        html = (await browser.post(f"{PAGE}/exams", data=data)).text
        assert re.search(r'id="f-exam-new-result-error"[^>]*>.*結果が選択肢にありません', html)
        assert re.search(r'id="f-exam-new-done_on-error"[^>]*>.*実施日も入力してください', html)
        assert re.search(r'id="f-exam-new-erythema_mm-error"[^>]*>.*ツベルクリン反応にだけ', html)

    async def test_a_correction_is_saved_on_the_exams_own_version_and_a_stale_one_is_a_409(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        url = f"{CONTACTS}/contacts/{CONTACT_ID}/exams/{EXAM['id']}"
        patch = backends.patch(url).mock(return_value=error("exam_409", 409))
        data = {"csrf_token": await token_of(browser), "version": "2", "kind": "igra_qft", "done_on": "R8.12.3"}
        data |= {"result": "borderline", "value": "0.3", "finding": "x", "reason": "再判定"}
        refused = await browser.post(f"{PAGE}/exams/{EXAM['id']}", data=data)
        sent = json.loads(patch.calls.last.request.content)
        assert sent["version"] == 2 and sent["reason"] == "再判定" and "finding" not in sent["changes"]
        assert sent["changes"]["result"] == "borderline" and sent["changes"]["value"] == "0.3"
        assert refused.status_code == 409 and "他の利用者によって更新されています" in refused.text
        assert 'value="0.3"' in refused.text

    async def test_a_cancellation_needs_its_reason_and_keeps_the_exam(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_contact(backends)
        cancel = backends.post(f"{CONTACTS}/contacts/{CONTACT_ID}/exams/{EXAM['id']}/cancel").mock(
            return_value=httpx.Response(200, json={**EXAM, "status": "cancelled"})
        )
        token = await token_of(browser)
        refused = await browser.post(f"{PAGE}/exams/{EXAM['id']}/cancel", data={"csrf_token": token, "version": "2"})
        assert refused.status_code == 422 and not cancel.called
        assert re.search(
            rf'id="f-cancel-{EXAM["id"]}-reason-error"[^>]*>.*取消の理由を入力してください。', refused.text
        )
        data = {"csrf_token": token, "version": "2", "reason": "別人の結果を入力した"}
        saved = await browser.post(f"{PAGE}/exams/{EXAM['id']}/cancel", data=data)
        assert saved.status_code == 303
        assert json.loads(cancel.calls.last.request.content) == {"version": 2, "reason": "別人の結果を入力した"}
        assert "検査を取り消しました。" in (await browser.get(PAGE)).text
