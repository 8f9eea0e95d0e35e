"""不審なアクセスの確認 against a fake identity (N21): the review list, a decision with its messages, the
protected list's checks, the monthly summary, and who may see and change what."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from ...conftest import IDENTITY, FakeKeycloakType, Login, csrf_token, text_of, with_roles

FINDING_ID = "0b6f6a52-2d0c-4d8e-9a55-1d2f3c4b5a69"
RULES = [
    {"code": "off_hours", "name": "時間外・休日の閲覧", "explanation": "勤務時間外に閲覧した", "level": "確認"},
    {"code": "bulk_export", "name": "大量出力", "explanation": "500件以上を出力した", "level": "要確認"},
]


def finding(**changes: Any) -> dict[str, Any]:
    """A finding as identity answers it."""
    return {
        "id": FINDING_ID,
        "rule": "bulk_export",
        "rule_name": "大量出力",
        "level": "要確認",
        "user_id": "u-clerk9",
        "username": "clerk9",
        "day": "2026-11-18",
        "person_id": None,
        "summary": "patient を 2,400件出力",
        "access_count": 1,
        "evidence": [
            {
                "seq": 812,
                "at": "2026-11-18 15:02:11",
                "operation": "export",
                "person_id": None,
                "record_type": "patient",
                "client_ip": "192.0.2.44",
                "detail": "CSV 2,400件",
            }
        ],
        "found_at": "2026-11-19T00:00:00Z",
        "status": "unreviewed",
        "status_label": "未確認",
        "reviewer": None,
        "reviewed_at": None,
        "note": "",
        "version": 1,
        "marks": [],
        **changes,
    }


@pytest.fixture
def identity(backends: respx.MockRouter) -> respx.MockRouter:
    """identity's access review answers."""
    backends.get(f"{IDENTITY}/access-review/rules").mock(return_value=httpx.Response(200, json=RULES))
    backends.get(f"{IDENTITY}/access-review/findings").mock(
        return_value=httpx.Response(200, json={"items": [finding()], "total": 1})
    )
    backends.get(f"{IDENTITY}/access-review/findings/{FINDING_ID}").mock(
        return_value=httpx.Response(200, json=finding())
    )
    return backends


class TestReviewList:
    @pytest.mark.req("N21", partial=True)
    async def test_the_list_shows_each_finding_with_its_rule_level_and_state(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["audit:read"])
        await login(client)
        response = await client.get("/admin/access-review", params={"status": "unreviewed", "from": "R8.11.1"})
        assert response.status_code == 200
        page = text_of(response.text)
        assert "令和8年11月18日 大量出力 要確認 clerk9 patient を 2,400件出力 未確認" in page
        assert "時間外・休日の閲覧（確認） 勤務時間外に閲覧した" in page
        asked = identity.calls[-1].request.url.params
        assert (asked["status"], asked["from"]) == ("unreviewed", "2026-11-01")

    async def test_a_wrong_date_is_shown_beside_the_field_and_nothing_is_asked(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["audit:read"])
        await login(client)
        response = await client.get("/admin/access-review", params={"from": "13月1日"})
        assert response.status_code == 422
        assert 'id="h-from-error"' in response.text
        assert not any(call.request.url.path == "/access-review/findings" for call in identity.calls)

    async def test_a_user_without_audit_access_cannot_open_it(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["patients:update"])
        await login(client)
        assert (await client.get("/admin/access-review")).status_code == 403


class TestDecision:
    @pytest.mark.req("N21", partial=True)
    async def test_a_decision_is_saved_and_the_page_says_so(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        route = identity.post(f"{IDENTITY}/access-review/findings/{FINDING_ID}/review").mock(
            return_value=httpx.Response(200, json=finding(status="check", version=2))
        )
        with_roles(keycloak, ["audit:update"])
        await login(client)
        page = await client.get(f"/admin/access-review/{FINDING_ID}")
        assert "根拠となった操作（1件）" in text_of(page.text) and "192.0.2.44" in page.text
        form = {"csrf_token": csrf_token(page.text), "status": "check", "note": "所属長に照会", "version": "1"}
        saved = await client.post(f"/admin/access-review/{FINDING_ID}", data=form)
        assert saved.status_code == 303
        assert saved.headers["location"] == f"/admin/access-review/{FINDING_ID}?done=reviewed"
        assert json.loads(route.calls[0].request.content) == {"status": "check", "note": "所属長に照会", "version": 1}

    async def test_a_refused_note_is_shown_beside_the_field_with_the_input_kept(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        message = "「指導」とする場合は、確認した内容や対応を記入してください。"
        identity.post(f"{IDENTITY}/access-review/findings/{FINDING_ID}/review").mock(
            return_value=httpx.Response(422, json={"detail": "入力内容に誤りがあります。", "errors": {"note": message}})
        )
        with_roles(keycloak, ["audit:update"])
        await login(client)
        page = await client.get(f"/admin/access-review/{FINDING_ID}")
        form = {"csrf_token": csrf_token(page.text), "status": "guidance", "note": "", "version": "1"}
        refused = await client.post(f"/admin/access-review/{FINDING_ID}", data=form)
        assert refused.status_code == 422
        assert 'id="review-note-error"' in refused.text and message in refused.text
        assert 'value="guidance" checked' in refused.text

    async def test_a_stale_screen_is_told_to_reopen(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        identity.post(f"{IDENTITY}/access-review/findings/{FINDING_ID}/review").mock(
            return_value=httpx.Response(409, json={"detail": "このデータは他の利用者によって更新されています。"})
        )
        with_roles(keycloak, ["audit:update"])
        await login(client)
        page = await client.get(f"/admin/access-review/{FINDING_ID}")
        form = {"csrf_token": csrf_token(page.text), "status": "ok", "note": "", "version": "1"}
        refused = await client.post(f"/admin/access-review/{FINDING_ID}", data=form)
        assert refused.status_code == 422
        assert "このデータは他の利用者によって更新されています。" in refused.text

    async def test_a_reader_sees_no_form_and_is_told_why(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        with_roles(keycloak, ["audit:read"])
        await login(client)
        page = await client.get(f"/admin/access-review/{FINDING_ID}")
        assert "確認結果を記録する権限がありません。" in page.text and 'name="status"' not in page.text
        form = {"csrf_token": csrf_token(page.text), "status": "ok", "note": "", "version": "1"}
        assert (await client.post(f"/admin/access-review/{FINDING_ID}", data=form)).status_code == 403


class TestProtectedAndSummary:
    async def test_missing_fields_are_refused_here_without_asking_identity(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        identity.get(f"{IDENTITY}/access-review/protected-persons").mock(return_value=httpx.Response(200, json=[]))
        added = identity.post(f"{IDENTITY}/access-review/protected-persons")
        with_roles(keycloak, ["audit:update"])
        await login(client)
        page = await client.get("/admin/access-review/protected")
        form = {"csrf_token": csrf_token(page.text), "person_id": "P-0001", "reason": " "}
        refused = await client.post("/admin/access-review/protected", data=form)
        assert refused.status_code == 422
        assert "理由：入力してください。" in text_of(refused.text) and 'value="P-0001"' in refused.text
        assert not added.called

    @pytest.mark.req("N21", partial=True)
    async def test_the_monthly_summary_lists_every_rule_with_counts_and_stamp_boxes(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        states = {"未確認": 1, "確認済・問題なし": 3, "要確認": 0, "指導": 1}
        summary = {
            "since": "2026-11-01",
            "until": "2026-11-30",
            "total": 5,
            "unreviewed": 1,
            "lines": [{"rule": "bulk_export", "rule_name": "大量出力", "total": 5, "by_status": states}],
        }
        route = identity.get(f"{IDENTITY}/access-review/summary").mock(return_value=httpx.Response(200, json=summary))
        with_roles(keycloak, ["audit:read"])
        await login(client)
        page = text_of((await client.get("/admin/access-review/summary", params={"month": "2026-11"})).text)
        assert "令和8年11月1日〜令和8年11月30日（検知 5件、うち未確認 1件）" in page
        assert "大量出力 5 1 3 0 1" in page and "情報セキュリティ責任者" in page
        assert route.calls[0].request.url.params["month"] == "2026-11-01"


def calendar_line(**changes: Any) -> dict[str, Any]:
    """A review of the calendar as identity answers it."""
    return {
        "kind": "access_log",
        "kind_label": "操作履歴(アクセスログ)の確認",
        "period": "2026-10",
        "label": "2026年10月分",
        "starts_on": "2026-10-01",
        "ends_on": "2026-10-31",
        "due_on": "2026-11-10",
        "why": "毎月の確認: 10月分の操作履歴と検知結果を翌月10日までに確認",
        "status": "overdue",
        "status_label": "期限超過",
        "reviewer": None,
        "reviewed_at": None,
        "note": "",
        **changes,
    }


CALENDAR = {
    "today": "2026-11-20",
    "overdue": 1,
    "due": 0,
    "items": [
        calendar_line(),
        calendar_line(
            kind="rights",
            kind_label="アクセス権限の見直し",
            period="2026-07/09",
            label="2026年7月〜9月",
            due_on="2026-10-31",
            why="四半期ごとの見直し: 期末から30日以内",
            status="done",
            status_label="実施済",
            reviewer="admin1",
            reviewed_at="2026-10-20T01:00:00Z",
            note="退職者 2件を無効化",
        ),
    ],
}


class TestCalendar:
    @pytest.mark.req("N21", partial=True)
    async def test_the_calendar_shows_overdue_and_done_reviews_and_records_one(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, identity: respx.MockRouter
    ) -> None:
        identity.get(f"{IDENTITY}/review-calendar").mock(return_value=httpx.Response(200, json=CALENDAR))
        route = identity.post(f"{IDENTITY}/review-calendar/access_log/2026-10").mock(
            return_value=httpx.Response(201, json=calendar_line(status="done", status_label="実施済"))
        )
        with_roles(keycloak, ["audit:update"])
        await login(client)
        page = await client.get("/admin/access-review/calendar")
        text = text_of(page.text)
        assert "令和8年11月20日：期限超過 1件 、実施待ち 0件" in text
        assert "操作履歴(アクセスログ)の確認 2026年10月分" in text and "令和8年11月10日 期限超過" in text
        assert "アクセス権限の見直し 2026年7月〜9月" in text and "admin1（令和8年10月20日" in text
        assert "退職者 2件を無効化" in text
        assert page.text.count("実施を記録</button>") == 1  # the done one has no form; rights need users:update
        form = {"csrf_token": csrf_token(page.text), "note": "検知 3件を確認"}
        saved = await client.post("/admin/access-review/calendar/access_log/2026-10", data=form)
        assert (saved.status_code, saved.headers["location"]) == (303, "/admin/access-review/calendar?done=recorded")
        assert json.loads(route.calls[0].request.content) == {"note": "検知 3件を確認"}
