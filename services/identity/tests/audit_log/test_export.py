"""CSV exports for Excel and the 本人開示 report: filtered like the lists, in Japan time, themselves audited."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from identity.audit_log.models import AuditEvent
from identity.login_history.models import LoginEvent
from sqlalchemy import func, select
from tbms_contracts.audit import Operation, OperationRecorded
from tbms_core.db import Database
from tbms_core.events import Envelope
from tbms_testing import wait_for

Publish = Callable[..., Awaitable[Envelope]]
Build = Callable[..., OperationRecorded]


def parse_csv(response: httpx.Response) -> list[list[str]]:
    """The rows of a CSV download, checking it starts with the BOM Excel needs."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def stored(db: Database, envelopes: list[Envelope]) -> None:
    """Waits until every published event is in the history (reading it through the API would add more)."""
    wanted = [e.event_id for e in envelopes]

    async def found() -> bool:
        async with db.session() as session:
            query = select(func.count()).select_from(AuditEvent).where(AuditEvent.event_id.in_(wanted))
            return await session.scalar(query) == len(wanted)

    await wait_for(found, timeout=30, interval=0.5)


async def exports_recorded(db: Database, record_type: str) -> list[AuditEvent]:
    """Waits for the audit record of an export."""

    async def found() -> list[AuditEvent]:
        async with db.session() as session:
            query = select(AuditEvent).where(AuditEvent.record_type == record_type, AuditEvent.operation == "export")
            return list(await session.scalars(query))

    return await wait_for(found, timeout=30, interval=0.5)  # type: ignore[return-value]


class TestAuditExport:
    """Auditors download the operation history as CSV."""

    @pytest.mark.req("R36")
    @pytest.mark.req("N05", partial=True)
    async def test_export_has_japanese_headers_jst_times_and_the_filter(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build, db: Database
    ) -> None:
        person = f"test-person-{uuid.uuid4()}"
        when = datetime(2026, 4, 1, 15, 30, tzinfo=UTC)
        envelopes = [await publish(operation(person, occurred_at=when, operation=Operation.PRINT))]
        envelopes.append(await publish(operation(f"test-person-{uuid.uuid4()}")))
        await stored(db, envelopes)
        params = {"person_id": person, "service": "test"}
        rows = parse_csv(await identity.get("/audit/events/export.csv", params=params, headers=admin))
        header, [line] = rows[0], rows[1:]
        assert header[:3] == ["連番", "日時（日本時間）", "利用者番号"]
        record = dict(zip(header, line, strict=True))
        assert (record["日時（日本時間）"], record["操作"], record["対象者ID"]) == (
            "2026-04-02 00:30:00",
            "印刷",
            person,
        )
        assert any(person in (row.query or "") for row in await exports_recorded(db, "audit_log"))

    @pytest.mark.req("R36")
    async def test_more_rows_than_a_file_may_hold_are_refused_not_cut_off(
        self,
        identity: httpx.AsyncClient,
        admin: dict[str, str],
        publish: Publish,
        operation: Build,
        db: Database,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        person = f"test-person-{uuid.uuid4()}"
        await stored(db, [await publish(operation(person)), await publish(operation(person))])
        params = {"person_id": person, "service": "test"}
        monkeypatch.setattr("identity.audit_log.api.MAX_EXPORT_ROWS", 1)
        refused = await identity.get("/audit/events/export.csv", params=params, headers=admin)
        assert refused.status_code == 422 and refused.json()["code"] == "export_too_large"
        assert "1件を超えています" in refused.json()["detail"] and "絞り込んで" in refused.json()["detail"]
        monkeypatch.setattr("identity.audit_log.api.MAX_EXPORT_ROWS", 2)
        assert len(parse_csv(await identity.get("/audit/events/export.csv", params=params, headers=admin))) == 3

    @pytest.mark.req("N26", partial=True)
    async def test_shift_jis_refuses_a_search_word_it_cannot_carry_and_writes_geta_on_request(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build, db: Database
    ) -> None:
        person = f"test-person-{uuid.uuid4()}"
        await stored(db, [await publish(operation(person, operation=Operation.SEARCH, query="𠮷田"))])
        params = {"person_id": person, "service": "test", "encoding": "cp932"}

        refused = await identity.get("/audit/events/export.csv", params=params, headers=admin)
        sjis = await identity.get("/audit/events/export.csv", params={**params, "substitute": "1"}, headers=admin)

        assert refused.status_code == 422 and "1行目の「検索条件」の「𠮷」" in refused.json()["detail"]
        assert sjis.status_code == 200 and sjis.headers["content-type"] == "text/csv; charset=Shift_JIS"
        assert "〓田" in sjis.content.decode("cp932")

    @pytest.mark.req("R36")
    @pytest.mark.req("N26", partial=True)
    async def test_shift_jis_is_cp932_with_the_rows_and_utf8_keeps_what_cp932_lacks(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build, db: Database
    ) -> None:
        plain, gaiji = f"test-person-{uuid.uuid4()}", f"test-person-{uuid.uuid4()}"
        envelopes = [await publish(operation(plain, operation=Operation.SEARCH, query="髙橋 吉田"))]
        envelopes.append(await publish(operation(gaiji, operation=Operation.SEARCH, query="𠮷田")))
        await stored(db, envelopes)

        sjis = await identity.get(
            "/audit/events/export.csv", params={"person_id": plain, "encoding": "cp932"}, headers=admin
        )
        utf8 = await identity.get("/audit/events/export.csv", params={"person_id": gaiji}, headers=admin)

        assert sjis.status_code == 200 and sjis.headers["content-type"] == "text/csv; charset=Shift_JIS"
        header, [line] = (rows := list(csv.reader(io.StringIO(sjis.content.decode("cp932")))))[0], rows[1:]
        record = dict(zip(header, line, strict=True))
        assert (record["対象者ID"], record["操作"], record["検索条件"]) == (plain, "検索", "髙橋 吉田")
        assert dict(zip(*parse_csv(utf8), strict=True))["検索条件"] == "𠮷田"

    @pytest.mark.req("R36")
    async def test_nurse_cannot_export(self, identity: httpx.AsyncClient, nurse: dict[str, str]) -> None:
        assert (await identity.get("/audit/events/export.csv", headers=nurse)).status_code == 403


class TestLoginExport:
    """Auditors download the login history as CSV."""

    @pytest.mark.req("R36")
    async def test_login_export_lists_logins_in_japanese(
        self, identity: httpx.AsyncClient, admin: dict[str, str], db: Database
    ) -> None:
        params = {"user": "admin1", "type": "LOGIN"}
        rows = parse_csv(await identity.get("/logins/export.csv", params=params, headers=admin))
        assert rows[0][:3] == ["日時（日本時間）", "種別", "ユーザID"]
        assert rows[1:] and {row[1] for row in rows[1:]} == {"ログイン"} and {row[2] for row in rows[1:]} == {"admin1"}
        assert await exports_recorded(db, "login_history")

    @pytest.mark.req("R36")
    @pytest.mark.req("N26", partial=True)
    async def test_shift_jis_stops_at_a_name_it_cannot_carry_and_writes_geta_or_utf8_on_request(
        self, identity: httpx.AsyncClient, admin: dict[str, str], db: Database
    ) -> None:
        user = f"synthetic-{uuid.uuid4()}"  # a synthetic account whose name had 𠮷 (U+20BB7), then 吉
        await login_events(db, user, ["𠮷野 試験", "吉野 試験"])
        params = {"user": user, "encoding": "cp932"}

        refused = await identity.get("/logins/export.csv", params=params, headers=admin)
        geta = await identity.get("/logins/export.csv", params={**params, "substitute": "true"}, headers=admin)
        utf8 = await identity.get("/logins/export.csv", params={"user": user, "encoding": "utf-8"}, headers=admin)

        assert refused.status_code == 422 and refused.json()["code"] == "csv_not_in_cp932"
        assert "1行目の「ユーザID」の「𠮷」（U+20BB7）" in refused.json()["detail"]
        assert geta.status_code == 200 and geta.headers["content-type"] == "text/csv; charset=Shift_JIS"
        assert geta.headers["x-tbms-replaced-cells"] == "1"
        written = list(csv.reader(io.StringIO(geta.content.decode("cp932"))))
        assert written[0][:3] == ["日時（日本時間）", "種別", "ユーザID"]
        assert [row[1:4] for row in written[1:]] == [["ログイン", "〓野 試験", user], ["ログイン", "吉野 試験", user]]
        assert [row[2] for row in parse_csv(utf8)[1:]] == ["𠮷野 試験", "吉野 試験"]


async def login_events(db: Database, user_id: str, usernames: list[str]) -> None:
    """Logins of a synthetic account, newest first, as the copy from Keycloak stores them."""
    now = datetime.now(UTC)
    async with db.session() as session:
        for minutes, username in enumerate(usernames, start=1):
            session.add(
                LoginEvent(
                    id=uuid.uuid4().hex,
                    time=now - timedelta(minutes=minutes),
                    type="LOGIN",
                    user_id=user_id,
                    username=username,
                    client_id="tbms-gateway",
                    ip_address="192.0.2.20",
                )
            )


class TestDisclosure:
    """本人開示: who accessed one person's data, per staff member."""

    async def _accesses(self, db: Database, publish: Publish, operation: Build) -> str:
        """Publishes synthetic accesses by two staff members and one auditor's read; returns the person."""
        person, start = f"test-person-{uuid.uuid4()}", datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
        events: list[dict[str, Any]] = [
            {"user_id": "u-a", "username": "保健師A", "occurred_at": start},
            {
                "user_id": "u-a",
                "username": "保健師A",
                "occurred_at": start + timedelta(days=3),
                "operation": Operation.UPDATE,
            },
            {
                "user_id": "u-b",
                "username": "事務B",
                "occurred_at": start + timedelta(days=1),
                "operation": Operation.PRINT,
            },
            {"user_id": "u-c", "username": "監査者", "occurred_at": start, "service": "identity"},
        ]
        await stored(db, [await publish(operation(person, **fields)) for fields in events])
        return person

    @pytest.mark.req("N05", partial=True)
    @pytest.mark.req("R36")
    async def test_accesses_are_grouped_by_user_without_the_auditors_reads(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build, db: Database
    ) -> None:
        person = await self._accesses(db, publish, operation)
        response = await identity.get(f"/audit/disclosure/{person}", headers=admin)
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert [item["username"] for item in items] == ["保健師A", "事務B"]
        first = items[0]
        assert (first["count"], first["operations"], first["operation_labels"]) == (
            2,
            ["read", "update"],
            ["参照", "更新"],
        )
        assert datetime.fromisoformat(first["last_at"]) - datetime.fromisoformat(first["first_at"]) == timedelta(days=3)

    @pytest.mark.req("N05", partial=True)
    async def test_printable_page_is_japanese_a4_html(
        self, identity: httpx.AsyncClient, admin: dict[str, str], publish: Publish, operation: Build, db: Database
    ) -> None:
        person = await self._accesses(db, publish, operation)
        response = await identity.get(f"/audit/disclosure/{person}", params={"format": "html"}, headers=admin)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        page = response.text
        assert "本人開示" in page and "size: A4" in page and "事務B" in page and "2026-05-01 10:00:00" in page
        assert "監査者" not in page

    @pytest.mark.req("N05", partial=True)
    async def test_viewer_cannot_see_the_disclosure(self, identity: httpx.AsyncClient, viewer: dict[str, str]) -> None:
        assert (await identity.get("/audit/disclosure/anyone", headers=viewer)).status_code == 403
