"""Login history copied from Keycloak: the user's own last login (N04) and the auditors' list (R36)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from identity.login_history.repository import LoginEventRepository
from identity.login_history.service import LoginHistoryService
from identity.login_history.sync import LoginSync, event_key, to_row
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Principal
from tbms_core.db import Database
from tbms_testing import auth_headers, wait_for
from tbms_testing.keycloak import local_realm


def sync_of(identity: httpx.AsyncClient) -> LoginSync:
    """The running service's Keycloak event copier."""
    return identity.app.state.login_sync  # type: ignore[attr-defined]


def fail_login(username: str) -> httpx.Response:
    """A direct-grant login with a wrong password, as a mistyping user makes it."""
    data = {
        "grant_type": "password",
        "client_id": local_realm().client_id,
        "client_secret": local_realm().client_secret,
        "username": username,
        "password": "Wrong-Password-0!",
        "totp": "000000",
    }
    return httpx.post(f"{local_realm().issuer}/protocol/openid-connect/token", data=data, timeout=20)


async def logins(identity: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    """GET /logins as an auditor."""
    response = await identity.get("/logins", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


class TestMyLastLogin:
    """After login the home page shows when the account was used (N04)."""

    @pytest.mark.req("N04")
    async def test_shows_this_sessions_login_with_its_time(self, identity: httpx.AsyncClient) -> None:
        headers = await asyncio.to_thread(auth_headers, "nurse1")
        sid = jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})["sid"]
        response = await identity.get("/logins/me/last", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        current = body["current_login"]
        assert (current["type"], current["username"], current["session_id"]) == ("LOGIN", "nurse1", sid)
        assert datetime.now(UTC) - datetime.fromisoformat(current["time"]) < timedelta(minutes=10)
        if body["previous_login"] is not None:
            assert body["previous_login"]["session_id"] != sid
            assert body["previous_login"]["time"] < current["time"]

    @pytest.mark.req("N04")
    async def test_previous_login_last_logout_and_failures_come_from_other_sessions(
        self, identity: httpx.AsyncClient, db: Database
    ) -> None:
        user, now = f"synthetic-{uuid.uuid4()}", datetime.now(UTC)
        history = [
            ("LOGIN", "s1", timedelta(days=3)),
            ("LOGIN_ERROR", "", timedelta(days=2, hours=1)),
            ("LOGOUT", "s1", timedelta(days=2)),
            ("LOGIN", "s2", timedelta(hours=5)),
            ("LOGIN_ERROR", "", timedelta(hours=2)),
            ("LOGIN_ERROR", "", timedelta(hours=1)),
            ("LOGIN", "s3", timedelta(minutes=1)),
        ]
        token = jwt.encode({"sub": user, "sid": "s3"}, "synthetic-test-signing-key-32-bytes!", algorithm="HS256")
        async with db.sessions() as session:
            for event_type, session_id, ago in history:
                await session.execute(
                    text(
                        "INSERT INTO login_events (id, time, type, user_id, username, client_id, session_id,"
                        " ip_address, error, details, copied_at) VALUES (:id, :t, :ty, :u, 'テスト利用者',"
                        " 'tbms-gateway', :s, '192.0.2.20', '', '{}', now())"
                    ),
                    {"id": uuid.uuid4().hex, "t": now - ago, "ty": event_type, "u": user, "s": session_id},
                )
            principal = Principal(user_id=user, username="テスト利用者", display_name="テスト利用者", token=token)
            last = await LoginHistoryService(session, principal, sync_of(identity)).last_of_mine()
            await session.rollback()
        assert last.current_login is not None and last.current_login.session_id == "s3"
        assert last.previous_login is not None and last.previous_login.session_id == "s2"
        assert last.last_logout is not None and last.last_logout.time == now - timedelta(days=2)
        assert last.failed_logins_since_previous == 2

    async def test_needs_a_login(self, identity: httpx.AsyncClient) -> None:
        assert (await identity.get("/logins/me/last")).status_code == 401


class TestLoginList:
    """Auditors see every login, failure and logout (R36); others may not."""

    @pytest.mark.req("R36")
    async def test_a_failed_login_is_listed_as_login_error(
        self, identity: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        started = datetime.now(UTC) - timedelta(seconds=2)
        keycloak = sync_of(identity).keycloak
        user_id = await keycloak.user_id_of("viewer1")
        assert user_id is not None
        try:
            response = await asyncio.to_thread(fail_login, "viewer1")
        finally:
            await keycloak.clear_login_failures(user_id)  # never leave a demo user nearer a lockout
        assert response.json()["error"] == "invalid_grant"

        async def listed() -> list[dict[str, Any]]:
            return await logins(identity, admin, user="viewer1", type="LOGIN_ERROR", **{"from": started.isoformat()})

        failures = await wait_for(listed, timeout=30, interval=1.0)
        failure = failures[0]  # type: ignore[index]
        assert (failure["type"], failure["username"], failure["user_id"]) == ("LOGIN_ERROR", "viewer1", user_id)
        assert failure["error"]

    @pytest.mark.req("R32")
    async def test_a_nurse_without_audit_access_is_refused_in_japanese(
        self, identity: httpx.AsyncClient, nurse: dict[str, str]
    ) -> None:
        response = await identity.get("/logins", headers=nurse)
        assert response.status_code == 403
        assert "「監査」の参照権限がありません" in response.json()["detail"]


class TestCopy:
    """Keycloak events are copied in the background, each once."""

    @pytest.mark.req("R36")
    async def test_logins_are_copied_without_anyone_asking(self, identity: httpx.AsyncClient, db: Database) -> None:
        headers = await asyncio.to_thread(auth_headers, "clerk1")
        sid = jwt.decode(headers["Authorization"].split()[1], options={"verify_signature": False})["sid"]

        async def copied() -> int | None:
            async with db.session() as session:
                query = text("SELECT count(*) FROM login_events WHERE type = 'LOGIN' AND session_id = :s")
                return await session.scalar(query, {"s": sid})

        assert await wait_for(copied, timeout=30, interval=0.5) == 1

    async def test_copying_the_same_events_again_adds_nothing(self, identity: httpx.AsyncClient, db: Database) -> None:
        await asyncio.to_thread(auth_headers, "admin1")
        since = int((datetime.now(UTC) - timedelta(hours=1)).timestamp() * 1000)
        rows = [to_row(raw) for raw in await sync_of(identity).keycloak.events(since_ms=since)]
        assert rows
        async with db.sessions() as session:
            await session.execute(text("DELETE FROM login_events"))
            assert await self._add(session, rows) == len({row["id"] for row in rows})
            assert await self._add(session, rows) == 0
            await session.rollback()

    @staticmethod
    async def _add(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
        return await LoginEventRepository(session).add_new(rows)

    def test_an_event_without_an_id_gets_a_stable_digest(self) -> None:
        raw = {"time": 1_790_000_000_000, "type": "LOGOUT", "userId": "u1", "sessionId": "s1", "ipAddress": "192.0.2.1"}
        assert event_key(raw) == event_key(dict(raw))
        assert event_key(raw) != event_key({**raw, "sessionId": "s2"})
        assert event_key({**raw, "id": "kc-id"}) == "kc-id"
        assert to_row(raw)["time"] == datetime.fromtimestamp(1_790_000_000, UTC)
