"""The 診査会 pages on patients' recorded answers: the clerk's list, a session scheduled from the form with the
members from masters, cases put on its agenda and decided one after the other (the focus going to the next), a
refused entry shown beside its field with nothing changed, the case page with the rules' basis, a patient's
application, and the 診査会・公費 access area (R05, R29)."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import respx

from ...conftest import PATIENTS, REPORTS, FakeKeycloakType, Login, csrf_token, with_roles
from .conftest import FIRST, PATIENT, PAYER, SECOND, SESSION_ID, answer, mock_board, recorded

pytestmark = pytest.mark.req("R05", partial=True)
SESSION = f"/board/sessions/{SESSION_ID}"


def recorded_measure() -> dict:
    return recorded("patient_board")["measures"][0]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


class TestWorklist:
    async def test_the_lists_and_a_session_scheduled_with_members_from_masters(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        page = await clerk.get("/board")
        shown = text_of(page.text)
        assert page.status_code == 200 and "診査会を待つ申請・諮問（0件）" in shown
        assert "患者票を交付していない案件" in shown and "委員 一郎" in shown
        opened = backends.post(f"{PATIENTS}/board/sessions").mock(return_value=answer("session_created", 201))
        form = {"csrf_token": csrf_token(page.text), "day": "R8.11.10", "time": "14:00", "place": "第1会議室"}
        created = await clerk.post("/board/sessions", data=form | {"member": ["M01", "M02"], "quorum": "2"})
        assert created.status_code == 303 and created.headers["location"] == SESSION
        sent = json.loads(opened.calls.last.request.content)
        assert sent["held_at"] == "2026-11-10T14:00:00+09:00" and sent["quorum"] == 2
        assert [m["name"] for m in sent["members"]] == ["委員 一郎", "委員 二郎"]

    async def test_a_wrong_date_is_named_beside_the_field_and_nothing_is_sent(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        opened = backends.post(f"{PATIENTS}/board/sessions").mock(return_value=answer("session_created", 201))
        page = await clerk.get("/board")
        refused = await clerk.post("/board/sessions", data={"csrf_token": csrf_token(page.text), "day": "あした"})
        assert refused.status_code == 422 and not opened.called
        # parse_date's words, as the browser says them
        assert re.search(r'id="day-error"[^>]*>.*日付の形式が正しくありません。', refused.text, re.S)


class TestSessionPage:
    async def test_the_agenda_shows_what_the_members_need_and_the_focus_is_on_the_first_case(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        page = await clerk.get(SESSION)
        shown = text_of(page.text)
        assert "2人／定足数2人" in shown and "定足数を満たしています" in shown
        assert "喀痰塗抹 2+" in shown and "右上葉に空洞" in shown and "（bII2）" in shown
        assert "令和8年8月31日〜令和9年2月28日" in shown and "受理日（令和8年8月31日）から6か月" in shown
        assert "入院・退院の基準" in shown and "自動で判定しません" in shown  # beside the 20条 case
        assert "令和8年8月30日〜令和8年9月28日" in shown  # 20条: 30 days counting the first
        assert re.search(rf'id="d-{FIRST}-decision"[^>]*autofocus', page.text)
        assert f'value="{PAYER}" selected' in page.text

    @pytest.mark.req("R29")
    async def test_a_decision_is_sent_and_the_focus_goes_to_the_next_case(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        page = await clerk.get(SESSION)
        decided = backends.post(f"{PATIENTS}/board/cases/{FIRST}/decision").mock(return_value=answer("decided"))
        form = {"csrf_token": csrf_token(page.text), "version": "2", "session_id": SESSION_ID, "decision": "approved"}
        form |= {"decided_on": "R8.9.10", "payer_number": PAYER, "comments": "標準治療で妥当"}
        answered = await clerk.post(f"/board/cases/{FIRST}/decision", data=form)
        assert answered.status_code == 303
        assert json.loads(decided.calls.last.request.content) == {
            "version": "2",
            "decision": "approved",
            "decided_on": "2026-09-10",
            "conditions": "",
            "comments": "標準治療で妥当",
            "payer_number": PAYER,
        }
        assert parse_qs(urlparse(answered.headers["location"]).query)["focus"] == [SECOND]
        mock_board(backends, "session_one_decided")
        after = await clerk.get(answered.headers["location"])
        assert "受給者番号 0000018 を付番しました。" in text_of(after.text)
        assert re.search(rf'id="d-{SECOND}-decision"[^>]*autofocus', after.text)

    async def test_a_refused_decision_is_shown_beside_its_field(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        page = await clerk.get(SESSION)
        backends.post(f"{PATIENTS}/board/cases/{FIRST}/decision").mock(return_value=answer("decision_422", 422))
        form = {"csrf_token": csrf_token(page.text), "version": "2", "session_id": SESSION_ID, "decision": "approved"}
        refused = await clerk.post(f"/board/cases/{FIRST}/decision", data=form | {"decided_on": "R8.9.10"})
        assert refused.status_code == 422
        assert re.search(rf'id="d-{FIRST}-payer_number-error".*法別番号「10」で始まります', refused.text, re.S)
        assert re.search(rf'id="d-{FIRST}-payer_number"[^>]*aria-invalid="true"', refused.text)


class TestCaseAndPatient:
    async def test_the_case_page_shows_the_due_date_and_the_basis(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        shown = text_of((await clerk.get(f"/board/cases/{FIRST}")).text)
        assert "決定の期限 令和8年9月30日" in shown and "施行規則20条の3" in shown
        assert "30日は実務上の値で政令の条文は未確認" in shown

    async def test_a_change_notice_is_received_from_its_case_page_and_a_wrong_date_sends_nothing(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        routes = mock_board(backends)
        change = recorded("case_undecided")
        change["data"] |= {"kind": "record_change", "decision": "", "institution": "見本総合病院"}
        change |= {"needs_board": False, "kind_label": "記載事項変更届（氏名・住所・保険・医療機関）"}
        routes["case"].mock(return_value=httpx.Response(200, json=change))
        page = await clerk.get(f"/board/cases/{FIRST}")
        shown = text_of(page.text)
        assert "受理する" in shown and "指定医療機関・指定薬局が届出の内容に変わり" in shown
        assert "判定を入力する" not in shown, "a 届 is received, not decided by the board"
        receipt = backends.post(f"{PATIENTS}/board/cases/{FIRST}/receipt").mock(
            return_value=httpx.Response(200, json={"case": change, "card": {"id": "c1", "institution": "見本総合病院"}})
        )
        form = {"csrf_token": csrf_token(page.text), "version": str(change["version"])}
        wrong = await clerk.post(f"/board/cases/{FIRST}/receipt", data=form | {"on": "R8.13.40"})
        assert wrong.status_code == 422 and not receipt.called
        assert re.search(rf'id="d-{FIRST}-on"[^>]*aria-invalid="true"', wrong.text)
        done = await clerk.post(f"/board/cases/{FIRST}/receipt", data=form | {"on": "R8.11.20", "note": "転院"})
        assert done.status_code == 303 and done.headers["location"] == f"/board/cases/{FIRST}"
        assert json.loads(receipt.calls.last.request.content) == {
            "version": str(change["version"]),
            "on": "2026-11-20",
            "note": "転院",
        }
        after = text_of((await clerk.get(f"/board/cases/{FIRST}")).text)
        assert "受理しました。患者票の記載を変更しました。" in after

    async def test_an_application_is_recorded_from_the_patients_page(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        url = f"/board/patients/{PATIENT['id']}"
        page = await clerk.get(url)
        assert "0000018" in text_of(page.text)
        opened = backends.post(f"{PATIENTS}/board/cases").mock(return_value=answer("case_created", 201))
        form = {"csrf_token": csrf_token(page.text), "kind": "37-2_new", "received_on": "R8.10.2", "gakkai": "bIII1"}
        created = await clerk.post(f"{url}/cases", data=form)
        assert created.status_code == 303 and created.headers["location"].startswith("/board/cases/")
        sent = json.loads(opened.calls.last.request.content)
        assert (sent["received_on"], sent["gakkai"], sent["patient_id"]) == ("2026-10-02", "bIII1", PATIENT["id"])
        backends.post(f"{PATIENTS}/board/cases").mock(return_value=answer("case_422", 422))
        refused = await clerk.post(f"{url}/cases", data=form | {"received_on": "R81.1.1"})
        assert refused.status_code == 422


class TestAccess:
    async def test_a_reader_sees_no_forms_and_others_are_refused(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        with_roles(keycloak, ["review:read", "patients:read"])
        await login(client)
        page = await client.get(SESSION)
        assert page.status_code == 200 and "更新権限がないため" in page.text and "判定を保存" not in page.text
        assert 'href="/board"' in page.text  # the menu link

    async def test_users_without_the_area_are_refused(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        with_roles(keycloak, ["patients:read"])
        await login(client)
        assert (await client.get("/board")).status_code == 403
        assert 'href="/board"' not in (await client.get("/")).text


class TestPrint:
    async def test_a_sessions_papers_are_relayed_as_one_pdf(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        page = await clerk.get(SESSION)
        assert f'href="{SESSION}/print?forms=F17,F28"' in page.text
        printed = backends.get(f"{REPORTS}/board/sessions/{SESSION_ID}/forms").mock(
            return_value=httpx.Response(200, content=b"%PDF-1.7 test", headers={"content-type": "application/pdf"})
        )
        answer = await clerk.get(f"{SESSION}/print", params={"forms": "F17,F28"})
        assert answer.status_code == 200 and answer.content == b"%PDF-1.7 test"
        assert answer.headers["content-type"] == "application/pdf"
        assert printed.calls.last.request.url.params["forms"] == "F17,F28"

    async def test_nothing_to_print_goes_back_with_the_reason(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        reason = "選んだ帳票に印刷できる内容がありません（決定前の通知、交付前の患者票、未発行の勧告など）。"
        backends.get(f"{REPORTS}/board/cases/{FIRST}/forms").mock(
            return_value=httpx.Response(422, json={"detail": reason, "errors": {}})
        )
        answer = await clerk.get(f"/board/cases/{FIRST}/print", params={"forms": "F15"})
        assert answer.status_code == 303 and answer.headers["location"] == f"/board/cases/{FIRST}"
        assert reason in (await clerk.get(answer.headers["location"])).text


class TestMeasures:
    async def test_a_recommendation_is_recorded_and_its_end_needs_a_reason(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        url = f"/board/patients/{PATIENT['id']}"
        page = await clerk.get(url)
        shown = text_of(page.text)
        assert "20条 入院勧告：令和8年11月20日〜令和8年12月19日" in shown and "あと16日" in shown
        issued = backends.post(f"{PATIENTS}/patients/{PATIENT['id']}/measures").mock(
            return_value=answer("measure_created", 201)
        )
        form = {"csrf_token": csrf_token(page.text), "article": "19", "issued_on": "R8.11.20", "starts_time": "15:00"}
        created = await clerk.post(f"{url}/measures", data=form | {"hospital": "試験結核病院"})
        assert created.status_code == 303
        sent = json.loads(issued.calls.last.request.content)
        assert sent["starts_at"] == "2026-11-20T15:00:00+09:00" and sent["hospital"] == "試験結核病院"
        measure = recorded_measure()
        backends.patch(f"{PATIENTS}/board/measures/{measure['id']}").mock(return_value=answer("measure_422", 422))
        ended = await clerk.post(
            f"{url}/measures/{measure['id']}",
            data={"csrf_token": csrf_token(page.text), "version": "1", "ended_on": "R8.12.1"},
        )
        assert ended.status_code == 422
        assert re.search(rf'id="m{measure["id"]}-end_reason-error"[^>]*>.*終了の理由を選んでください', ended.text, re.S)


class TestNumbers:
    @pytest.mark.req("R29")
    async def test_the_number_audit_list_shows_every_number_and_whether_it_is_complete(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        backends.get(f"{PATIENTS}/board/numbers").mock(return_value=answer("numbers"))
        shown = text_of((await clerk.get("/board/numbers")).text)
        assert "0000018" in shown and "欠番なし" in shown and "診査 花子" in shown


class TestCards:
    async def test_a_lost_card_is_reissued_from_the_patients_page(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        url = f"/board/patients/{PATIENT['id']}"
        page = await clerk.get(url)
        card = recorded("patient_board")["cards"][0]
        assert "受給者番号 0000018" in text_of(page.text) and "再交付 令和8年10月1日（紛失）" in text_of(page.text)
        reissued = backends.post(f"{PATIENTS}/board/cards/{card['id']}/reissue").mock(
            return_value=answer("card_reissued")
        )
        form = {"csrf_token": csrf_token(page.text), "version": str(card["version"]), "on": "R8.10.1", "reason": "紛失"}
        answered = await clerk.post(f"{url}/cards/{card['id']}/reissue", data=form)
        assert answered.status_code == 303
        assert json.loads(reissued.calls.last.request.content) == {"version": "2", "on": "2026-10-01", "reason": "紛失"}
        wrong = await clerk.post(f"{url}/cards/{card['id']}/return", data=form | {"on": "いつか"})
        assert wrong.status_code == 422 and f'id="c{card["id"]}-return-on-error"' in wrong.text


class TestAttendance:
    async def test_attendance_is_sent_with_the_members_and_the_quorum(
        self, clerk: httpx.AsyncClient, backends: respx.MockRouter
    ) -> None:
        mock_board(backends)
        page = await clerk.get(SESSION)
        saved = backends.patch(f"{PATIENTS}/board/sessions/{SESSION_ID}").mock(return_value=answer("session_created"))
        form = {"csrf_token": csrf_token(page.text), "version": "1", "present": ["M01"], "quorum": "2"}
        answered = await clerk.post(f"{SESSION}/attendance", data=form)
        assert answered.status_code == 303
        sent = json.loads(saved.calls.last.request.content)
        assert [(m["code"], m["present"]) for m in sent["changes"]["members"]] == [("M01", True), ("M02", False)]
        assert sent["changes"]["quorum"] == 2 and sent["version"] == "1"
