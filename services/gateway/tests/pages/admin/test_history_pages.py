"""改ざん検査 against a fake identity (R36): a broken chain is reported with where and how."""

from __future__ import annotations

import httpx
import pytest
import respx
from gateway.settings import Settings

from ...conftest import IDENTITY, REPORTS, FakeKeycloakType, Login, gateway_with, text_of, with_roles


@pytest.mark.req("R36")
class TestTamperCheckPage:
    async def test_a_broken_chain_is_reported_with_where_and_how(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        outcome = {
            "ok": False,
            "checked": 16,
            "last_seq": 40,
            "broken_seq": 17,
            "problem": "missing",
            "message": "操作履歴 17 番が削除されています。",
        }
        backends.get(f"{IDENTITY}/audit/verify").mock(return_value=httpx.Response(200, json=outcome))
        with_roles(keycloak, ["audit:read"])
        await login(client)
        page = text_of((await client.get("/admin/audit/verify")).text)
        assert "結果：改ざんを検出しました" in page and "操作履歴 17 番が削除されています。" in page
        assert "異常のある番号 17" in page and "異常の種類 削除" in page and "検査した件数 16件" in page


@pytest.mark.req("N28", partial=True)
class TestChangeLogPage:
    async def test_starts_show_what_changed_and_configuration_changes_are_listed(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        log = {
            "starts": [
                {"started_at": "2026-12-01T01:00:00Z", "service": "patients", "environment": "production",
                 "version": "1.5.0", "commit": "", "migration": "0008", "host": "app-1", "started_by": "運用担当",
                 "changes": ["版の変更 1.4.0 → 1.5.0", "マイグレーション 0007 → 0008"]},
                {"started_at": "2026-11-30T01:00:00Z", "service": "patients", "environment": "production",
                 "version": "1.4.0", "commit": "", "migration": "0007", "host": "app-1", "started_by": "運用担当",
                 "changes": []},
            ],
            "configuration": [
                {"occurred_at": "2026-12-01T02:00:00Z", "username": "admin1", "service": "identity",
                 "operation": "update", "record_type": "access_group", "record_id": "g1", "detail": "保健師"}
            ],
            "realm": [
                {"time": "2026-12-01T03:00:00Z", "operation": "UPDATE", "resource_type": "USER",
                 "resource_path": "users/u-1/reset-password", "admin_username": "kc-operator",
                 "ip_address": "192.0.2.5", "fields": ["temporary", "type", "value"], "error": "",
                 "description": "利用者のパスワード再設定"}
            ],
        }  # fmt: skip
        route = backends.get(f"{IDENTITY}/changes").mock(return_value=httpx.Response(200, json=log))
        with_roles(keycloak, ["audit:read"])
        await login(client)
        page = text_of((await client.get("/admin/changes", params={"service": "patients"})).text)
        assert "患者管理 版の変更 1.4.0 → 1.5.0、マイグレーション 0007 → 0008 1.5.0 0008" in page
        assert "再起動（変更なし）" in page
        assert "admin1 グループの権限 g1 更新 保健師" in page
        assert "kc-operator 利用者のパスワード再設定 users/u-1/reset-password temporary、type、value 192.0.2.5" in page
        assert route.calls[0].request.url.params["service"] == "patients"


def scanner_status(state: str, **changes: object) -> dict[str, object]:
    """reports' answer about the virus signatures."""
    return {
        "state": state,
        "engine": "1.4.1",
        "database": "27471",
        "published": "2026-12-01T00:35:21Z",
        "age_hours": 50.0,
        "checked_at": "2026-12-03T02:35:21Z",
        "warn_after_hours": 24.0,
        "refuse_after_hours": 168.0,
        "error": "",
        **changes,
    }


async def operations_page(
    client: httpx.AsyncClient,
    login: Login,
    keycloak: FakeKeycloakType,
    backends: respx.MockRouter,
    scanner: dict[str, object] | None = None,
) -> str:
    """The text of 運用状況 as an auditor (監査 参照) sees it, reports answering `scanner` (default: up to date)."""
    answer = scanner or scanner_status("ok")
    backends.get(f"{REPORTS}/scanner").mock(return_value=httpx.Response(200, json=answer))
    with_roles(keycloak, ["audit:read"])
    await login(client)
    return text_of((await client.get("/admin/operations")).text)


@pytest.mark.req("N22", partial=True)
class TestOperationsPage:
    async def test_old_signatures_are_shown_with_their_date_and_the_limits(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        page = await operations_page(client, login, keycloak, backends, scanner_status("old"))
        assert "状態：古い（更新されていません）" in page
        assert "定義の日時 令和8年12月1日 09:35:21" in page and "経過時間 50.0時間（2.1日）" in page
        assert "24時間を超えると警告、7日を超えるとアップロードを停止" in page
        assert "7日を超えるとアップロードを止めます" in page

    async def test_a_scanner_that_does_not_answer_is_said_so(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        answer = scanner_status("unavailable", published=None, age_hours=None, engine="", database="", error="clamd")
        page = await operations_page(client, login, keycloak, backends, answer)
        assert "状態：確認できません（ウイルス検査が動いていません）" in page and "定義の日時 不明" in page

    async def test_staff_without_audit_access_cannot_open_it(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:update"])
        await login(client)
        assert (await client.get("/admin/operations")).status_code == 403


@pytest.mark.req("R28", partial=True)
class TestOperationsPageSearchIndex:
    async def test_a_running_rebuild_is_shown_while_the_live_index_serves(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        rebuild = {
            "id": "4f1c",
            "state": "running",
            "started_at": "2026-12-03T01:00:00+00:00",
            "last_progress_at": "2026-12-03T01:05:30+00:00",
            "records_sent": 52000,
            "finished_at": None,
            "detail": "",
        }
        answer = {"state": "complete", "documents": 98765, "detail": "", "rebuild": rebuild}
        backends.routes["search-index"].mock(return_value=httpx.Response(200, json=answer))
        page = await operations_page(client, login, keycloak, backends)
        assert "検索の索引 状態：正常 索引の件数 98,765件" in page
        assert "最新の再構築 実行中（開始 令和8年12月3日 10:00:00） 送られた件数 52,000件" in page
        assert "最後の進み 令和8年12月3日 10:05:30" in page and "その間も利用者はいまの索引で検索できます" in page

    async def test_an_abandoned_rebuild_and_an_index_to_rebuild_are_said_so(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        rebuild = {
            "id": "4f1c",
            "state": "abandoned",
            "started_at": "2026-12-03T01:00:00+00:00",
            "last_progress_at": "2026-12-03T01:05:30+00:00",
            "records_sent": 500,
            "finished_at": "2026-12-03T01:36:00+00:00",
            "detail": "30分間進まなかったため破棄しました",
        }
        answer = {"state": "needs_reindex", "detail": "index file lost", "rebuild": rebuild}
        backends.routes["search-index"].mock(return_value=httpx.Response(200, json=answer))
        page = await operations_page(client, login, keycloak, backends)
        assert "状態：要対応（索引の再構築が必要です） index file lost" in page and "tbms search reindex で" in page
        assert "最新の再構築 中断（破棄）" in page and "詳細 30分間進まなかったため破棄しました" in page

    async def test_a_search_service_that_does_not_answer_is_said_so(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        backends.routes["search-index"].mock(side_effect=httpx.ConnectError("refused"))
        page = await operations_page(client, login, keycloak, backends)
        assert "検索の索引 状態：確認できません 検索サービスが応答しません。" in page


BACKUP_STATUS = "http://backup.test:9187/status"


@pytest.mark.req("N06", partial=True)
class TestOperationsPageBackups:
    async def test_an_overdue_backup_is_shown_as_needing_action(
        self, settings: Settings, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        state = {
            "ok": False,
            "last_good_backup": "tbms-20261201T173000Z",
            "age_hours": 33.5,
            "overdue": True,
            "last_run": {"ok": True},
            "backups": 12,
            "message": "最新の確認済みバックアップが 33.5 時間前です（予定 24 時間ごと）",
        }
        backends.get(BACKUP_STATUS).mock(return_value=httpx.Response(200, json=state))
        async for gateway in gateway_with(settings, backup_status_url=BACKUP_STATUS):
            page = await operations_page(gateway, login, keycloak, backends)
        assert "状態：要対応 最新の確認済みバックアップが 33.5 時間前です（予定 24 時間ごと）" in page
        assert "最新の確認済みバックアップ tbms-20261201T173000Z 経過時間 33.5時間 保管している世代 12件" in page

    async def test_a_backup_job_that_does_not_answer_is_said_so(
        self, settings: Settings, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        backends.get(BACKUP_STATUS).mock(side_effect=httpx.ConnectError("refused"))
        async for gateway in gateway_with(settings, backup_status_url=BACKUP_STATUS):
            page = await operations_page(gateway, login, keycloak, backends)
        assert "状態：要対応 バックアップの状態を取得できません（backup サービスが応答しません）" in page

    async def test_without_a_watched_backup_job_the_page_says_where_to_look(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        page = await operations_page(client, login, keycloak, backends)
        assert "この環境ではバックアップの状態を監視していません" in page


def operations_log(total: int, *items: dict[str, object]) -> dict[str, object]:
    """identity's answer: one page of the operations log."""
    component = {
        "component": "search",
        "up": False,
        "since": "2026-12-01T01:00:00Z",
        "checked_at": "2026-12-01T01:05:00Z",
    }
    return {"items": list(items), "total": total, "offset": 0, "limit": 50, "components": [component],
            "retention_days": 1096.0}  # fmt: skip


@pytest.mark.req("N18", partial=True)
class TestOperationsLogPage:
    async def test_entries_are_listed_in_japanese_and_filtered_by_kind_and_period(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        parked = {"occurred_at": "2026-12-01T01:00:00Z", "kind": "message_parked", "component": "reports",
                  "details": {"consumer": "reports-on_patient", "error": "ValueError", "deliveries": "5"}}  # fmt: skip
        stop = {"occurred_at": "2026-12-01T09:00:00Z", "kind": "maintenance_start", "component": "gateway",
                "details": {"planned_end": "2026-12-01T20:00:00+09:00", "plan": "版の更新"}}  # fmt: skip
        answer = httpx.Response(200, json=operations_log(120, stop, parked))
        route = backends.get(f"{IDENTITY}/operations-log").mock(return_value=answer)
        with_roles(keycloak, ["audit:read"])
        await login(client)
        params = {"kind": "message_parked", "from": "R8.11.1", "to": "2026-12-01", "page": "2"}
        html = (await client.get("/admin/operations-log", params=params)).text
        page = text_of(html)
        assert "イベントの処理を保留 帳票 処理：reports-on_patient、配信回数：5、エラーの種類：ValueError" in page
        assert "計画停止の開始 画面 予定：版の更新、終了予定：令和8年12月1日 20:00" in page
        assert "検索 停止" in page and "全120件、2 / 3ページ" in page and "3年間保存" in page
        sent = route.calls[0].request.url.params
        assert (sent["kind"], sent["from"], sent["to"]) == ("message_parked", "2026-11-01", "2026-12-01")
        assert (sent["offset"], sent["limit"]) == ("50", "50")
        assert 'href="/admin/operations-log?from=R8.11.1&amp;kind=message_parked&amp;to=2026-12-01&amp;page=3"' in html

    async def test_a_wrong_date_is_explained_and_nothing_is_asked(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType, backends: respx.MockRouter
    ) -> None:
        route = backends.get(f"{IDENTITY}/operations-log").mock(return_value=httpx.Response(200, json={}))
        with_roles(keycloak, ["audit:read"])
        await login(client)
        response = await client.get("/admin/operations-log", params={"from": "2026-13-45"})
        assert response.status_code == 422 and "検索条件に誤りがあります" in text_of(response.text)
        assert not route.called

    async def test_staff_without_audit_access_cannot_open_it(
        self, client: httpx.AsyncClient, login: Login, keycloak: FakeKeycloakType
    ) -> None:
        with_roles(keycloak, ["patients:update"])
        await login(client)
        assert (await client.get("/admin/operations-log")).status_code == 403
