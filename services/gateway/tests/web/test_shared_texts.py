"""The texts administrators edit (help, notices, FAQ, planned stops) in the gateway's own PostgreSQL database: the
migration takes over the texts in use, every gateway process shows the newest version, of two saves based on one
version only the first is kept (the other is told and shown the newer text), and a save the operation history
cannot record is not kept (N25)."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
import httpx
import pytest
import respx
from fastapi import FastAPI
from gateway.app import build_gateway
from gateway.main import ROUTERS
from gateway.web.help_texts import EDITABLE, shipped
from tbms_core import db_roles
from tbms_testing import services as scratch

from ..conftest import IDENTITY, FakeKeycloakType, make_settings, with_roles
from .test_shared_sessions import browser_of, log_in

DATABASE = f"tbms_gateway_texts_t{os.getpid()}"
DSN = f"postgresql://tbms@127.0.0.1:55432/{DATABASE}"
HOST_EDIT = "- 2026-11-30 移行前に管理者が書いたお知らせ\n"
Gateways = Callable[[], Awaitable[FastAPI]]


@pytest.fixture(scope="module")
async def texts_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A gateway database migrated while the host still held an administrator's edit of the notices; its URL."""
    edits = tmp_path_factory.mktemp("gateway-help")
    (edits / "notices.md").write_text(HOST_EDIT, encoding="utf-8")
    env = await asyncio.to_thread(scratch.test_env, "gateway", DATABASE)
    env["TBMS_GATEWAY_HELP_DIR"] = str(edits)
    await scratch.recreate_database(DATABASE)
    await asyncio.to_thread(scratch.migrate, "gateway", env)
    try:
        yield env["TBMS_GATEWAY_DATABASE_URL"]
    finally:
        await scratch.drop_database(DATABASE)


async def fetch(query: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(DSN)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


@pytest.fixture
async def gateways(texts_database: str) -> AsyncIterator[Gateways]:
    """Builds gateway processes sharing one database; each reloads the texts on every request."""
    await fetch("DELETE FROM help_text_versions WHERE version > 1")
    built: list[FastAPI] = []

    async def another() -> FastAPI:
        settings = make_settings(session_store="postgres", database_url=texts_database, help_texts_max_age_seconds=0)
        built.append(app := build_gateway(settings, ROUTERS))
        return app

    try:
        yield another
    finally:
        for app in built:
            await app.state.sessions.close()


@pytest.fixture
def edits_recorded(backends: respx.MockRouter) -> respx.Route:
    """identity records each saved text in the operation history."""
    return backends.post(f"{IDENTITY}/help-text-edits").mock(return_value=httpx.Response(201, json={}))


def editor_form(html: str, text: str) -> dict[str, str]:
    """What the editor posts: its token, the version it shows, and the text."""
    version = re.search(r'name="version" value="(\d+)"', html)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert version is not None and token is not None
    return {"csrf_token": token[1], "version": version[1], "text": text}


@asynccontextmanager
async def logged_in_on_both(
    one: FastAPI, two: FastAPI, keycloak: FakeKeycloakType
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """An administrator's browser on each gateway, logged in once (the session is shared)."""
    with_roles(keycloak, ["users:update"])
    async with browser_of(one) as via_one, browser_of(two) as via_two:
        await log_in(via_one, via_two, keycloak)
        via_two.cookies = via_one.cookies
        yield via_one, via_two


@pytest.mark.req("N25", partial=True)
class TestTextsInTheDatabase:
    async def test_the_migration_takes_over_the_texts_in_use_as_their_first_version(self, texts_database: str) -> None:
        rows = {row["slug"]: row for row in await fetch("SELECT * FROM help_text_versions WHERE version = 1")}
        assert set(rows) == {slug for slug in EDITABLE if shipped(slug) or slug == "notices"}
        assert rows["notices"]["body"] == HOST_EDIT, "the administrator's edit on the host wins over the default"
        assert rows["faq"]["body"] == shipped("faq") and rows["faq"]["saved_by"] == "移行（当初の文章）"

    async def test_the_gateways_own_role_adds_versions_but_never_rewrites_or_deletes_one(
        self, texts_database: str
    ) -> None:
        await db_roles.grant_runtime_role(texts_database, "gateway")
        connection = await asyncpg.connect(DSN)
        try:
            await connection.execute(f"SET ROLE {db_roles.runtime_role('gateway')}")
            assert await connection.fetchval("SELECT count(*) FROM help_text_versions") > 0
            for change in ("UPDATE help_text_versions SET body = 'x'", "DELETE FROM help_text_versions"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await connection.execute(change)
        finally:
            await connection.close()

    async def test_a_text_saved_through_one_gateway_shows_on_the_other_as_a_new_version_with_who_and_when(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route, edits_recorded: respx.Route
    ) -> None:
        one, two = await gateways(), await gateways()
        async with logged_in_on_both(one, two, keycloak) as (via_one, via_two):
            assert "移行前に管理者が書いたお知らせ" in (await via_two.get("/notices")).text
            editor = (await via_one.get("/admin/help/faq")).text
            saved = await via_one.post("/admin/help/faq", data=editor_form(editor, "## 共有される質問\n\n答え"))
            assert saved.status_code == 303, saved.text
            assert "共有される質問" in (await via_two.get("/help/faq")).text
            history = (await via_two.get("/admin/help/faq")).text
            assert "第2版" in history and "第1版" in history and "移行（当初の文章）" in history
            seeded = await via_two.get("/admin/help/faq/versions/1")
            assert seeded.status_code == 200 and shipped("faq").strip()[:20] in seeded.text
        rows = await fetch("SELECT version, body, saved_by, saved_at FROM help_text_versions WHERE slug = 'faq'")
        newest = max(rows, key=lambda row: row["version"])
        assert (newest["version"], newest["body"]) == (2, "## 共有される質問\n\n答え\n")
        assert newest["saved_by"] and newest["saved_at"] is not None
        assert json.loads(edits_recorded.calls.last.request.content)["version"] == 2

    async def test_of_two_saves_based_on_one_version_only_the_first_is_kept(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route, edits_recorded: respx.Route
    ) -> None:
        one, two = await gateways(), await gateways()
        async with logged_in_on_both(one, two, keycloak) as (via_one, via_two):
            first = (await via_one.get("/admin/help/home")).text
            second = (await via_two.get("/admin/help/home")).text
            answers = await asyncio.gather(
                via_one.post("/admin/help/home", data=editor_form(first, "- 一つ目の説明")),
                via_two.post("/admin/help/home", data=editor_form(second, "- 二つ目の説明")),
            )
            assert sorted(answer.status_code for answer in answers) == [303, 409]
            refused = next(answer for answer in answers if answer.status_code == 409)
            assert "他の人が先に保存しました" in refused.text
            kept = "一つ目の説明" if answers[0].status_code == 303 else "二つ目の説明"
            assert f"- {kept}" in refused.text, "the refusal shows the text saved first"
        rows = await fetch("SELECT version, body FROM help_text_versions WHERE slug = 'home' ORDER BY version")
        assert [(row["version"], row["body"]) for row in rows[1:]] == [(2, f"- {kept}\n")]
        assert edits_recorded.call_count == 1

    async def test_a_save_the_operation_history_refuses_is_not_kept(
        self, gateways: Gateways, keycloak: FakeKeycloakType, last_login: respx.Route, edits_recorded: respx.Route
    ) -> None:
        edits_recorded.mock(return_value=httpx.Response(503))
        one = await gateways()
        async with logged_in_on_both(one, one, keycloak) as (via_one, _):
            editor = (await via_one.get("/admin/help/dots")).text
            refused = await via_one.post("/admin/help/dots", data=editor_form(editor, "- 記録されない説明"))
            assert refused.status_code == 503
        assert await fetch("SELECT 1 FROM help_text_versions WHERE slug = 'dots' AND version > 1") == []
