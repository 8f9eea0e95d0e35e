"""Before printing (R18) and batch printing (R19): the empty required items linked to where they are filled in,
the preview, printing anyway; a batch started for chosen patients and its progress page."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from ...conftest import (
    NURSE_ROLES,
    PATIENT,
    PATIENT_ID,
    PATIENTS,
    REPORTS,
    CsrfOf,
    FakeKeycloakType,
    Login,
    text_of,
    with_roles,
)
from .conftest import BATCH_ID, CHECK, batch, mock_forms


def mock_check(backends: respx.MockRouter) -> respx.Route:
    """patients answers the patient; reports the forms and the check of F03."""
    backends.get(f"{PATIENTS}/patients/{PATIENT_ID}").mock(return_value=httpx.Response(200, json=PATIENT))
    mock_forms(backends)
    return backends.get(f"{REPORTS}/forms/F03/check").mock(return_value=httpx.Response(200, json=CHECK))


SESSION_ID = "5e5e5e5e-1111-4222-8333-444444444444"
SESSION = {"id": SESSION_ID, "held_at": "2026-12-10T05:00:00+00:00", "place": "第1会議室", "case_count": 3}


def mock_batch_form(backends: respx.MockRouter) -> None:
    """patients answers the newest patients and the 診査会 sessions; reports the forms and the user's batches."""
    backends.get(f"{PATIENTS}/patients").mock(return_value=httpx.Response(200, json={"items": [PATIENT], "total": 1}))
    backends.get(f"{PATIENTS}/board/sessions").mock(return_value=httpx.Response(200, json={"items": [SESSION]}))
    mock_forms(backends)
    backends.get(f"{REPORTS}/batches").mock(return_value=httpx.Response(200, json=[batch()]))


@pytest.mark.req("R18", partial=True)
class TestCheckBeforePrinting:
    async def test_empty_required_items_link_to_their_sections_and_printing_anyway_stays_possible(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_check(backends)
        html = (await browser.get(f"/documents/forms/F03/check?patient_id={PATIENT_ID}")).text
        assert "空欄のまま印刷される必須項目（2件）" in text_of(html)
        assert f'href="/patients/{PATIENT_ID}#notification-title">届出医師を入力する' in html
        assert f'href="/patients/{PATIENT_ID}#disease-title">診断日を入力する' in html
        assert "このまま印刷する" in html and "印刷しないで戻る" in html
        assert f'action="/patients/{PATIENT_ID}/documents"' in html
        assert "1+3fa2b9c1（令和8年12月3日に有効な版）" in text_of(html)

    async def test_the_preview_is_relayed_as_pdf(self, browser: httpx.AsyncClient, backends: respx.MockRouter) -> None:
        backends.get(f"{REPORTS}/forms/F03/preview").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 p", headers={"content-type": "application/pdf"})
        )
        response = await browser.get(f"/documents/forms/F03/preview?patient_id={PATIENT_ID}")
        assert response.content == b"%PDF-1.7 p" and response.headers["content-type"] == "application/pdf"


@pytest.mark.req("R19", partial=True)
class TestBatch:
    async def test_a_batch_is_started_for_the_chosen_patients_and_its_progress_shown(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_batch_form(backends)
        started = backends.post(f"{REPORTS}/batches").mock(return_value=httpx.Response(202, json=batch(done=0)))
        backends.get(f"{REPORTS}/batches/{BATCH_ID}").mock(return_value=httpx.Response(200, json=batch()))
        page = await browser.get(f"/documents/batches?patient_id={PATIENT_ID}")
        assert f'value="{PATIENT_ID}" checked' in page.text, "a patient sent from a list is ticked"
        assert "帳票: 結核登録票" in text_of(page.text) and "家族・接触者健診実施状況（接触者のいる患者）" in page.text
        day_forms = "帳票: 健康診断の勧告書、健診のお知らせ、受診票、実施票、照射録、結果報告書、【保健所実施】"
        assert day_forms in text_of(page.text)
        assert all(f'name="contact_form" value="{form}" checked' in page.text for form in ("F05", "F25", "F29"))
        assert "診査会・公費の参照権限がないため選べません" in text_of(page.text), "nurse1 here has no review area"
        response = await browser.post(
            "/documents/batches",
            data={"csrf_token": csrf_of(page.text), "genre": "患者管理", "patient_id": PATIENT_ID},
        )
        assert response.status_code == 303 and response.headers["location"] == f"/documents/batches/{BATCH_ID}"
        assert json.loads(started.calls.last.request.content)["patient_ids"] == [PATIENT_ID]
        progress = (await browser.get(f"/documents/batches/{BATCH_ID}")).text
        assert 'max="30" value="12"' in progress and "印刷中 ： 12 ／30件（ 40 %）" in text_of(progress)
        state = (await browser.get(f"/documents/batches/{BATCH_ID}/progress")).json()
        assert (state["done"], state["percent"]) == (12, 40)

    @pytest.mark.req("R19", partial=True)
    async def test_patients_sent_from_a_search_beyond_the_newest_fifty_are_listed_and_ticked(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_batch_form(backends)
        older_id = "0a0a0a0a-1111-4222-8333-444444444444"
        older = PATIENT | {"id": older_id, "name": "試験 古株", "registration_no": "2019-00007"}
        backends.get(f"{PATIENTS}/patients/{older_id}").mock(return_value=httpx.Response(200, json=older))
        unknown = "0b0b0b0b-1111-4222-8333-444444444444"
        backends.get(f"{PATIENTS}/patients/{unknown}").mock(
            return_value=httpx.Response(404, json={"detail": "指定された患者が見つかりません。"})
        )
        url = f"/documents/batches?patient_id={PATIENT_ID}&patient_id={older_id}&patient_id={unknown}&patient_id=x"
        page = (await browser.get(url)).text
        assert f'value="{older_id}" checked' in page and f'value="{PATIENT_ID}" checked' in page
        assert "試験 古株" in page and unknown not in page
        assert page.index(older_id) < page.index(PATIENT_ID), "the patients sent come first"

    async def test_nothing_chosen_for_the_genre_is_said_beside_its_field_without_asking_reports(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_batch_form(backends)
        started = backends.post(f"{REPORTS}/batches").mock(return_value=httpx.Response(202, json=batch()))
        token = csrf_of((await browser.get("/documents/batches")).text)
        nothing = await browser.post("/documents/batches", data={"csrf_token": token, "genre": "患者管理"})
        assert nothing.status_code == 422 and "印刷する患者を1人以上選んでください。" in nothing.text
        no_session = await browser.post("/documents/batches", data={"csrf_token": token, "genre": "診査会"})
        assert no_session.status_code == 422 and "印刷する診査会を選んでください。" in no_session.text
        bad_day = await browser.post(
            "/documents/batches", data={"csrf_token": token, "genre": "接触者健診", "day": "あした"}
        )
        assert bad_day.status_code == 422
        assert "日付の形式が正しくありません。" in bad_day.text  # parse_date's words, as the browser says them
        assert 'id="batch-day" name="day" type="text" value="あした"' in bad_day.text, "what was typed stays"
        assert not started.called

    async def test_a_session_is_chosen_for_the_review_board_genre(
        self,
        client: httpx.AsyncClient,
        login: Login,
        keycloak: FakeKeycloakType,
        backends: respx.MockRouter,
        csrf_of: CsrfOf,
    ) -> None:
        mock_batch_form(backends)
        with_roles(keycloak, [*NURSE_ROLES, "review:read"])
        await login(client)
        browser = client
        started = backends.post(f"{REPORTS}/batches").mock(
            return_value=httpx.Response(202, json=batch(genre="診査会", title="診査会 3件"))
        )
        page = (await browser.get(f"/documents/batches?genre=診査会&session_id={SESSION_ID}")).text
        assert f'<option value="{SESSION_ID}" selected>' in page and "第1会議室（案件3件）" in page
        assert "帳票: 諮問書、委員用資料" in text_of(page)
        assert 'id="board-form-0" name="board_form" value="F16" checked' in page, "every 診査会 form is ticked"
        assert 'id="contact-form-0" name="contact_form" value="F18" checked' in page, "each form, where it applies"
        form = {"csrf_token": csrf_of(page), "genre": "診査会", "session_id": SESSION_ID, "patient_id": PATIENT_ID}
        none = await browser.post("/documents/batches", data=form)
        assert none.status_code == 422 and "印刷する帳票を1つ以上選んでください。" in none.text
        assert 'href="#board-form-0"' in none.text and not started.called
        response = await browser.post("/documents/batches", data=form | {"board_form": ["F16", "F14"]})
        assert response.status_code == 303
        assert json.loads(started.calls.last.request.content) == {
            "genre": "診査会", "patient_ids": [], "title": "", "session_id": SESSION_ID, "forms": ["F16", "F14"],
        }  # fmt: skip

    async def test_a_screening_day_is_typed_in_wareki_and_a_refusal_is_said_beside_the_day(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter, csrf_of: CsrfOf
    ) -> None:
        mock_batch_form(backends)
        refusal = {"detail": "x", "errors": {"day": "2026年12月14日に第2会場での健診の予約がある接触者はいません。"}}
        started = backends.post(f"{REPORTS}/batches").mock(
            side_effect=[httpx.Response(422, json=refusal), httpx.Response(202, json=batch(genre="接触者健診"))]
        )
        token = csrf_of((await browser.get("/documents/batches")).text)
        form = {
            "csrf_token": token,
            "genre": "接触者健診",
            "day": "R8.12.14",
            "place": "第2会場",
            "contact_form": "F19",
        }
        refused = await browser.post("/documents/batches", data=form)
        assert refused.status_code == 422 and refusal["errors"]["day"] in refused.text
        assert 'href="#batch-day"' in refused.text
        sent = json.loads(started.calls.last.request.content)
        assert (sent["day"], sent["place"], sent["patient_ids"], sent["forms"]) == (
            "2026-12-14",
            "第2会場",
            [],
            ["F19"],
        )
        assert 'name="contact_form" value="F19" checked' in refused.text and 'value="F23">' in refused.text
        accepted = await browser.post("/documents/batches", data=form | {"place": ""})
        assert accepted.status_code == 303 and "place" not in json.loads(started.calls.last.request.content)

    async def test_the_finished_batch_offers_its_merged_pdf(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        skipped = {"contact_id": "c0c0c0c0-0000-4000-8000-000000000001", "form": "F23", "name": "試験 陽子",
                   "reason": "印刷に必要な項目が入力されていません。（接触状況）"}  # fmt: skip
        done = batch(status="done", status_label="完了", done=30, percent=100, pages=30, skipped=[skipped])
        backends.get(f"{REPORTS}/batches/{BATCH_ID}").mock(return_value=httpx.Response(200, json=done))
        backends.get(f"{REPORTS}/batches/{BATCH_ID}/content").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 m", headers={"content-type": "application/pdf"})
        )
        html = (await browser.get(f"/documents/batches/{BATCH_ID}")).text
        assert "まとめたPDFを開く" in html and "data-finished hidden" not in html and "data-running" not in html
        assert f'<a href="/contacts/{skipped["contact_id"]}">試験 陽子</a>' in html
        assert "F23：印刷に必要な項目が入力されていません。（接触状況）" in html
        assert (await browser.get(f"/documents/batches/{BATCH_ID}/pdf")).content == b"%PDF-1.7 m"


@pytest.mark.req("R19", "F25", partial=True)
class TestScreeningDay:
    """健診日の帳票: a day and place typed in 和暦, its 受付簿 printed from there, the forms filed with it listed."""

    async def test_the_days_register_is_printed_and_listed_from_the_page(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        printed = {
            "id": "eeeeeeee-0000-4000-8000-000000000025", "kind": "F25", "title": "結核接触者健康診断 受付簿",
            "owner_type": "screening_day", "owner_label": "健診日", "owner_id": "f0f0f0f0-0000-5000-8000-000000000000",
            "patient_id": None, "template_version": "1+0a1b2c3d", "created_by_name": "試験 保健師",
            "created_at": "2026-12-14T00:30:00+00:00",
        }  # fmt: skip
        listed = backends.get(f"{REPORTS}/documents").mock(
            return_value=httpx.Response(200, json={"items": [printed], "total": 1})
        )
        register = backends.get(f"{REPORTS}/reception-registers/F25").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 r", headers={"content-type": "application/pdf"})
        )
        empty = await browser.get("/documents/screening-days")
        assert empty.status_code == 200 and "この日に印刷した帳票" not in empty.text and not listed.called

        page = await browser.get("/documents/screening-days", params={"day": "R8.12.14", "place": "第2会場"})

        assert page.status_code == 200
        asked = listed.calls.last.request.url.params
        assert (asked["owner_type"], asked["day"], asked["place"]) == ("screening_day", "2026-12-14", "第2会場")
        text = text_of(page.text)
        assert "健診日の帳票：令和8年12月14日（2026年12月14日） 第2会場" in text
        assert "F25 結核接触者健康診断 受付簿 令和8年12月14日 09:30 試験 保健師 1+0a1b2c3d" in text
        assert f'href="/documents/{printed["id"]}"' in page.text
        link = "/contacts/reception/F25?day=2026-12-14&amp;place=%E7%AC%AC2%E4%BC%9A%E5%A0%B4"
        assert f'href="{link}"' in page.text
        assert 'href="/documents/batches?genre=接触者健診&amp;day=2026-12-14&amp;place=' in page.text
        opened = await browser.get(link.replace("&amp;", "&"))
        assert opened.content == b"%PDF-1.7 r" and register.calls.last.request.url.params["place"] == "第2会場"

    async def test_a_bad_day_or_no_place_is_said_beside_the_field_without_asking_reports(
        self, browser: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        listed = backends.get(f"{REPORTS}/documents").mock(return_value=httpx.Response(200, json={"items": []}))
        page = await browser.get("/documents/screening-days", params={"day": "2026-13-40", "place": ""})
        assert page.status_code == 422 and not listed.called
        assert "「2026年13月40日」は存在しない日付です。" in page.text
        assert 'href="#day-day"' in page.text and 'href="#day-place"' in page.text
        assert "会場（予約の受診場所）を入力してください。" in page.text
