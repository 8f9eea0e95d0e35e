"""The screening list a nurse works from (R13): the conditions form sent on to contacts, 期限超過 in words, the
links that keep the conditions, the CSV of the same conditions; and the duplicate check at registration (R12):
link the exposure to the contact who is already there, or register a new person after all."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import respx

from ...conftest import CONTACTS, csrf_token, text_of
from .conftest import CHILD, CONTACT, INDEX_ID, RECORDED, mock_contact, mock_index
from .test_index_contacts import PAGE, registration

DUPLICATE = RECORDED["dup_existing"]  # 試験 花子, a contact of 見本 次郎 (another index patient)


@pytest.mark.req("R13", partial=True)
class TestScreeningList:
    async def test_a_nurse_sees_those_still_followed_earliest_due_first_by_default(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = backends.routes["contact-list"].mock(return_value=httpx.Response(200, json=RECORDED["overdue_list"]))
        html = (await browser.get("/contacts")).text
        asked = listed.calls.last.request.url.params
        assert (asked["status"], asked["sort"], asked["limit"], asked["offset"]) == ("active", "due", "50", "0")
        assert "due" not in asked and "district" not in asked
        assert '<option value="active" selected>健診中</option>' in html
        assert '<option value="due" selected>次の予定日が早い順</option>' in html
        assert 'role="search"' in html and "この条件でCSVに出力する（Excel用）" in html

    async def test_the_conditions_go_to_contacts_and_the_page_links_keep_them(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        page = {"items": [CONTACT, CHILD], "total": 120}
        listed = backends.routes["contact-list"].mock(return_value=httpx.Response(200, json=page))
        typed = {"due": "overdue", "district": "世田谷", "setting": "workplace", "priority": "low", "sort": "name"}
        html = (await browser.get("/contacts", params={**typed, "page": "2"})).text
        asked = dict(listed.calls.last.request.url.params)
        assert asked == {**typed, "status": "active", "limit": "50", "offset": "50"}
        assert '<option value="overdue" selected>期限超過</option>' in html
        assert '<option value="世田谷" selected>世田谷</option>' in html
        nav = re.search(r"<nav aria-label=\"接触者健診の一覧のページ送り\">(.*?)</nav>", html, re.S)
        assert nav and "due=overdue" in nav.group(1) and "district=%E4%B8%96%E7%94%B0%E8%B0%B7" in nav.group(1)
        assert "page=3" in nav.group(1)
        assert 'href="/contacts/export?due=overdue&amp;district=' in html

    async def test_an_overdue_contact_is_marked_in_words(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.routes["contact-list"].mock(return_value=httpx.Response(200, json=RECORDED["overdue_list"]))
        html = (await browser.get("/contacts", params={"due": "overdue"})).text
        first = text_of(re.findall(r"<tr>(.*?)</tr>", html, re.S)[1])
        assert first.strip().startswith("試験 花子") and "IGRA（ウインドウ期後）" in first and "期限超過" in first
        assert '<span class="badge badge--alert">期限超過</span>' in html

    async def test_conditions_outside_the_choices_are_not_sent_and_all_states_may_be_shown(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = backends.routes["contact-list"]
        await browser.get("/contacts", params={"due": "someday", "status": "all", "index_patient_id": "x"})
        asked = listed.calls.last.request.url.params
        assert "due" not in asked and "status" not in asked and "index_patient_id" not in asked

    async def test_pages_stop_at_ten_thousand_rows_and_say_to_narrow(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = backends.routes["contact-list"].mock(
            return_value=httpx.Response(200, json={"items": [CHILD], "total": 1_000_000})
        )
        html = (await browser.get("/contacts", params={"page": "999"})).text
        assert listed.calls.last.request.url.params["offset"] == "10000"
        assert "201 / 201ページ" in html and "条件で絞り込んでください" in html

    async def test_the_list_as_csv_with_the_same_conditions(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        exported = backends.get(f"{CONTACTS}/contacts/export").mock(
            return_value=httpx.Response(
                200,
                content=RECORDED["export_csv"].encode("utf-8"),
                headers={
                    "content-type": "text/csv; charset=utf-8",
                    "content-disposition": RECORDED["export_disposition"],
                },
            )
        )
        answer = await browser.get("/contacts/export", params={"due": "overdue", "district": "世田谷"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert answer.headers["content-disposition"] == RECORDED["export_disposition"]
        assert answer.content.decode("utf-8").startswith("\ufeff氏名,カナ,性別,生年月日")
        asked = exported.calls.last.request.url.params
        assert (asked["due"], asked["district"], asked["status"], asked["sort"]) == (
            "overdue",
            "世田谷",
            "active",
            "due",
        )

    async def test_too_many_rows_are_refused_with_contacts_message_on_the_list(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        backends.get(f"{CONTACTS}/contacts/export").mock(return_value=httpx.Response(422, json=RECORDED["export_422"]))
        answer = await browser.get("/contacts/export", params={"district": "世田谷"})
        assert answer.status_code == 422
        assert "CSVを出力できませんでした" in answer.text and "条件を絞り込んで" in answer.text


@pytest.mark.req("R13", partial=True)
class TestOverdueOnTheIndexPatientsPage:
    async def test_the_header_says_how_many_are_overdue_and_links_to_them(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, RECORDED["overdue_list"]["items"])
        counted = backends.routes["contact-counts"].mock(return_value=httpx.Response(200, json=RECORDED["counts"]))
        html = (await browser.get(PAGE)).text
        assert counted.calls.last.request.url.params["index_patient_id"] == INDEX_ID
        header = text_of(html[html.index('class="patient-header"') : html.index("</section>")])
        assert "期限超過 1人 期限超過あり" in header
        assert f'href="/contacts?index_patient_id={INDEX_ID}&amp;due=overdue"' in html

    async def test_none_overdue_says_so(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        mock_index(backends, [CHILD])
        html = (await browser.get(PAGE)).text
        assert "期限超過 なし" in text_of(html[html.index('class="patient-header"') : html.index("</section>")])


@pytest.mark.req("R12", partial=True)
class TestDuplicateCheck:
    async def test_a_person_who_is_already_a_contact_is_shown_before_anything_is_registered(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, no_duplicates: respx.Route
    ) -> None:
        mock_index(backends, [CHILD])
        no_duplicates.mock(return_value=httpx.Response(200, json=RECORDED["duplicates"]))
        register = backends.post(f"{CONTACTS}/contacts")
        form = (await browser.get(PAGE)).text
        typed = registration(csrf_token(form), name="試験　花子", birth_date="S50.4.1")
        page = await browser.post(PAGE, data=typed)
        assert page.status_code == 200 and not register.called
        asked = json.loads(no_duplicates.calls.last.request.content)
        assert asked == {"name": "試験　花子", "name_kana": "しけん じろう", "birth_date": "S50.4.1", "phone": ""}
        html = page.text
        assert "この人はすでに接触者として登録されている可能性があります（1件）" in html
        row = text_of(re.findall(r"<tr>(.*?)</tr>", html[html.index("duplicates-caption") :], re.S)[1])
        assert "試験 花子" in row and "見本 次郎" in row and "生年月日と氏名が同じ" in row
        assert f'formaction="/contacts/index-patients/{INDEX_ID}/link"' in html
        assert f'value="{DUPLICATE["id"]}:{DUPLICATE["version"]}"' in html
        assert 'name="confirm_new"' in html and 'value="試験　花子"' in html, "what was typed is kept"

    async def test_linking_adds_the_exposure_to_the_existing_contact(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CHILD])
        linked = RECORDED["linked"]
        added = backends.post(f"{CONTACTS}/contacts/{DUPLICATE['id']}/exposures").mock(
            return_value=httpx.Response(201, json=linked)
        )
        register = backends.post(f"{CONTACTS}/contacts")
        mock_contact(backends, linked)
        form = (await browser.get(PAGE)).text
        typed = registration(csrf_token(form), link_to=f"{DUPLICATE['id']}:{DUPLICATE['version']}")
        saved = await browser.post(f"{PAGE}/link", data=typed)
        assert saved.status_code == 303 and saved.headers["location"] == f"/contacts/{DUPLICATE['id']}"
        assert not register.called
        sent = json.loads(added.calls.last.request.content)
        assert sent["version"] == DUPLICATE["version"]
        assert sent["exposure"]["index_patient_id"] == INDEX_ID and sent["exposure"]["setting"] == "workplace"
        assert sent["exposure"]["last_contact_on"] == "R8.11.13"
        shown = (await browser.get(saved.headers["location"])).text
        assert "この発端患者との接触状況を追加しました" in shown

    async def test_linking_to_a_contact_already_of_this_index_patient_says_so(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_index(backends, [CHILD])
        backends.post(f"{CONTACTS}/contacts/{DUPLICATE['id']}/exposures").mock(
            return_value=httpx.Response(409, json=RECORDED["link_409"])
        )
        form = (await browser.get(PAGE)).text
        typed = registration(csrf_token(form), link_to=f"{DUPLICATE['id']}:2")
        page = await browser.post(f"{PAGE}/link", data=typed)
        assert page.status_code == 409 and RECORDED["link_409"]["detail"] in page.text

    async def test_registering_a_new_person_anyway_needs_every_candidate_confirmed(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, no_duplicates: respx.Route
    ) -> None:
        mock_index(backends, [CHILD])
        no_duplicates.mock(return_value=httpx.Response(200, json=RECORDED["duplicates"]))
        register = backends.post(f"{CONTACTS}/contacts").mock(return_value=httpx.Response(201, json=CONTACT))
        form = (await browser.get(PAGE)).text
        unticked = registration(csrf_token(form), checked_duplicates=DUPLICATE["id"])
        assert (await browser.post(PAGE, data=unticked)).status_code == 200 and not register.called
        unseen = registration(csrf_token(form), confirm_new="yes", checked_duplicates="")
        assert (await browser.post(PAGE, data=unseen)).status_code == 200 and not register.called
        confirmed = registration(csrf_token(form), confirm_new="yes", checked_duplicates=DUPLICATE["id"])
        saved = await browser.post(PAGE, data=confirmed)
        assert saved.status_code == 303 and register.called
