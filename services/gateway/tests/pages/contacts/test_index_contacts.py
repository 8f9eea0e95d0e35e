"""An index patient's contacts (R12): the summary on top, the list with priority and next exam, the registration
with the API's messages beside the fields; and the health-center-wide screening list, a page at a time."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx

from ...conftest import CONTACTS, REPORTS, csrf_token, text_of
from .conftest import CHILD, CONTACT, CONTACT_ID, ENDED, INDEX_ID, error, mock_contact, mock_index, recorded

pytestmark = pytest.mark.req("R12", partial=True)
PAGE = f"/contacts/index-patients/{INDEX_ID}"


def registration(token: str, **typed: str | list[str]) -> dict[str, str | list[str]]:
    """The registration form as a nurse fills it in."""
    return {
        "csrf_token": token,
        "name": "試験 二郎",
        "name_kana": "しけん じろう",
        "sex": "male",
        "birth_date": "H2.4.1",
        "residence": "here",
        "risk_factors": ["diabetes", "danger_group"],
        "symptomatic": "yes",
        "exposure.setting": "workplace",
        "exposure.relation": "同僚",
        "exposure.first_contact_on": "R8.4.1",
        "exposure.last_contact_on": "R8.11.13",
        "exposure.hours": "40",
        "exposure.frequency": "週5日",
        "exposure.closed_room": "yes",
        "exposure.infectiousness": "high",
        **typed,
    }


class TestContactsOfAnIndexPatient:
    async def test_the_summary_and_each_contacts_relation_last_contact_priority_next_exam_and_state(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = mock_index(backends, [CONTACT, CHILD, ENDED])
        page = await browser.get(PAGE)
        assert page.status_code == 200
        asked = listed.calls.last.request.url.params
        assert (asked["index_patient_id"], asked["limit"], asked["offset"]) == (INDEX_ID, "50", "0")
        header = text_of(page.text[page.text.index('class="patient-header"') : page.text.index("</section>")])
        for fact in (
            "試験 太郎の接触者",
            "登録番号 2026-00001",
            "生年月日 昭和45年3月1日（1970年3月1日）",
            "接触者 3人",
        ):
            assert fact in header, fact
        rows = re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
        wife, child, coworker = (text_of(row).strip() for row in rows[1:])
        assert wife.startswith("試験 花子 同居家族（妻） 令和8年11月23日 優先（変更あり）")
        assert "胸部X線（直ちに） 令和8年12月3日" in wife and wife.endswith("健診中・LTBI（治療）")
        assert "同居家族（長男）" in child and "ツベルクリン反応（ベースライン）" in child
        assert "職場（同僚）" in coworker and "予定なし" in coworker and coworker.endswith("終了")
        assert f'<a href="/contacts/{CONTACT_ID}">試験 花子</a>' in page.text
        assert f'<a href="/patients/{INDEX_ID}">' in page.text, "a link back to the patient page"

    @pytest.mark.req("F18", partial=True)
    async def test_the_recommendation_letters_of_the_ticked_contacts_are_printed_as_one_pdf(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CONTACT, CHILD])
        html = (await browser.get(PAGE)).text
        assert '<form method="get" action="/contacts/forms/F18"' in html
        assert f'name="contact_id" value="{CONTACT_ID}" aria-label="試験 花子さんの勧告書を印刷する"' in html
        every = f"/contacts/forms/F18?contact_id={CONTACT_ID}&amp;contact_id={CHILD['id']}"
        assert f'href="{every}"' in html and "この画面の2人全員の勧告書を印刷する" in html
        letters = backends.get(f"{REPORTS}/contact-letters/F18").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})
        )
        chosen = [("contact_id", CONTACT_ID), ("contact_id", CHILD["id"]), ("contact_id", CONTACT_ID)]
        answer = await browser.get("/contacts/forms/F18", params=chosen)
        assert answer.status_code == 200 and answer.content == b"%PDF-1.7"
        assert letters.calls.last.request.url.params.get_list("contact_id") == [CONTACT_ID, CHILD["id"]]
        missing = {"detail": "印刷に必要な項目が入力されていません。（試験 一郎：住所（あて先））", "errors": {}}
        letters.mock(return_value=httpx.Response(422, json=missing))
        refused = await browser.get("/contacts/forms/F18", params=chosen)
        assert refused.status_code == 400 and "試験 一郎：住所（あて先）" in refused.text
        none = await browser.get("/contacts/forms/F18")
        assert none.status_code == 400 and "接触者を選んでください" in none.text
        wrong = await browser.get("/contacts/forms/F18", params={"contact_id": "x"})
        assert wrong.status_code == 400 and letters.call_count == 2

    async def test_an_overdue_exam_says_so_in_words(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        late = recorded("child")
        late["next_due"] = {**late["next_due"], "status": "overdue", "due_on": "2026-10-01"}
        mock_index(backends, [late])
        row = text_of(re.findall(r"<tr>(.*?)</tr>", (await browser.get(PAGE)).text, re.S)[1])
        assert "令和8年10月1日 期限超過" in row

    async def test_a_contact_is_registered_with_the_exposure_to_this_index_patient(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [])
        form = (await browser.get(PAGE)).text
        assert '<details class="disclosure" open>' in form, "with no contact yet the form is open"
        register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
        mock_contact(backends)
        saved = await browser.post(PAGE, data=registration(csrf_token(form)))
        assert saved.status_code == 303 and saved.headers["location"] == f"/contacts/{CONTACT_ID}"
        sent = json.loads(register.calls.last.request.content)
        assert sent["name"] == "試験 二郎" and sent["birth_date"] == "H2.4.1" and sent["sex"] == "male"
        assert sent["risk_factors"] == ["diabetes", "danger_group"] and sent["symptomatic"] is True
        assert "found_on" not in sent, "left blank: contacts takes today"
        assert sent["exposures"] == [
            {
                "index_patient_id": INDEX_ID,
                "setting": "workplace",
                "relation": "同僚",
                "first_contact_on": "R8.4.1",
                "last_contact_on": "R8.11.13",
                "hours": "40",
                "frequency": "週5日",
                "closed_room": True,
                "poor_ventilation": False,
                "infectiousness": "high",
                "note": "",
            }
        ]
        shown = (await browser.get(saved.headers["location"])).text
        assert 'id="flash"' in shown and "接触者「試験 花子」を登録しました。" in shown

    async def test_refused_fields_show_their_messages_beside_them_with_everything_typed_kept(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CHILD])
        backends.post(f"{CONTACTS}/contacts").mock(return_value=error("create_422", 422))
        form = (await browser.get(PAGE)).text
        refused = await browser.post(PAGE, data=registration(csrf_token(form)))  # the service's answer is recorded
        html = refused.text
        assert refused.status_code == 422 and '<details class="disclosure" open>' in html
        assert 'id="error-summary"' in html and "入力内容に誤りがあります（5件）" in html
        assert re.search(r'id="f-new-name-error"[^>]*>.*入力してください。', html)
        assert re.search(r'id="f-new-birth_date-error"[^>]*>.*「平成40年」は存在しません', html)
        assert re.search(r'id="f-new-exposure-setting-error"[^>]*>.*選択肢から選んでください。', html)
        assert re.search(r'id="f-new-exposure-hours-error"[^>]*>.*数値で入力してください。', html)
        assert '<a href="#f-new-exposure-setting">接触の場：選択肢から選んでください。</a>' in html
        assert 'value="H2.4.1"' in html and 'value="同僚"' in html and 'value="R8.11.13"' in html

    @pytest.mark.req("N27", partial=True)
    async def test_the_gateway_refuses_what_the_browser_checks_in_the_same_words_and_sends_nothing(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CHILD])
        register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
        form = (await browser.get(PAGE)).text
        typed = registration(csrf_token(form), name="", birth_date="H40.1.1", name_kana="ｼｹﾝ1")
        refused = await browser.post(PAGE, data=typed)
        html = refused.text
        assert refused.status_code == 422 and not register.called
        assert re.search(r'id="f-new-name-error"[^>]*>.*氏名を入力してください。', html)
        too_late = "「平成40年」は存在しません（平成は31年4月30日まで）。"
        assert re.search(r'id="f-new-birth_date-error"[^>]*>.*' + too_late, html)
        assert re.search(r'id="f-new-name_kana-error"[^>]*>.*カナはカタカナまたはひらがなで入力してください。', html)
        assert '<a href="#f-new-name">氏名：氏名を入力してください。</a>' in html and 'value="H40.1.1"' in html

    async def test_contact_dates_out_of_order_are_said_beside_the_first_contact_date(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CHILD])
        backends.post(f"{CONTACTS}/contacts").mock(return_value=error("create_422b", 422))
        form = (await browser.get(PAGE)).text
        html = (await browser.post(PAGE, data=registration(csrf_token(form)))).text
        assert re.search(r'id="f-new-exposure-first_contact_on-error"[^>]*>.*初回接触日が最終接触日より後', html)

    async def test_living_elsewhere_needs_the_municipality_before_anything_is_sent(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CHILD])
        register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
        form = (await browser.get(PAGE)).text
        refused = await browser.post(PAGE, data=registration(csrf_token(form), residence="elsewhere"))
        assert refused.status_code == 422 and not register.called
        assert re.search(r'id="f-new-municipality-error"[^>]*>.*市区町村名を入力してください', refused.text)

    async def test_an_index_patient_contacts_does_not_know_yet_is_said_and_offers_no_form(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{CONTACTS}/index-cases/{INDEX_ID}").mock(return_value=error("index_case_404", 404))
        page = await browser.get(PAGE)
        assert page.status_code == 200 and "接触者管理にまだありません" in page.text
        assert f'action="{PAGE}"' not in page.text

    async def test_many_contacts_are_shown_fifty_at_a_time(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = mock_index(backends, [CHILD], total=120)
        page = (await browser.get(PAGE, params={"page": "2"})).text
        assert listed.calls.last.request.url.params["offset"] == "50"
        assert "全120人中 51〜100人目" in page
        assert f'<a href="{PAGE}">前の50件</a>' in page and f'<a href="{PAGE}?page=3">次の50件</a>' in page


@pytest.mark.req("R13", partial=True)
class TestScreeningList:
    async def test_every_contact_with_index_patients_and_the_next_exam_a_page_at_a_time(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = backends.routes["contact-list"].mock(
            return_value=httpx.Response(200, json={"items": [CONTACT, CHILD], "total": 52})
        )
        page = await browser.get("/contacts")
        assert page.status_code == 200 and "index_patient_id" not in listed.calls.last.request.url.params
        html = page.text
        assert 'href="/contacts" aria-current="page">接触者健診</a>' in html
        assert "全52人中 1〜50人目" in html and '<a href="/contacts?page=2">次の50件</a>' in html
        first = text_of(re.findall(r"<tr>(.*?)</tr>", html, re.S)[1])
        assert "試験 花子" in first and "試験 太郎 見本 次郎" in first and "胸部X線（直ちに）" in first
        assert f'<a href="/contacts/index-patients/{INDEX_ID}">試験 太郎</a>' in html
