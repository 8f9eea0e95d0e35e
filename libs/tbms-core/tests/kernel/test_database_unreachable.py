"""A service whose database cannot be reached answers 503 with a Japanese message and Retry-After, not 500: the
gateway and the operators see an outage, not a defect (N07). Any other database error stays a 500. With the real
PostgreSQL: a port where nothing listens, and a connection the server ends mid-request."""

from __future__ import annotations

import socket

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from tbms_core.db import Database
from tbms_core.errors import install_error_handlers
from tbms_testing.consumers import PG_URL

pytestmark = pytest.mark.req("N07", partial=True)
UNAVAILABLE = "データベースに一時的に接続できません。しばらくしてからもう一度お試しください。"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service(live: Database, gone: Database) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/gone")
    async def read_from_a_database_that_is_down() -> int:
        async with gone.session() as session:
            return int(await session.scalar(text("SELECT 1")))

    @app.get("/lost")
    async def read_on_a_connection_the_server_ends() -> int:
        async with live.session() as session:
            pid = await session.scalar(text("SELECT pg_backend_pid()"))
            other = await asyncpg.connect(PG_URL.replace("+asyncpg", "") + "/postgres")
            try:
                await other.execute("SELECT pg_terminate_backend($1)", pid)
            finally:
                await other.close()
            return int(await session.scalar(text("SELECT 1")))

    @app.get("/starting")
    async def connect_while_the_server_recovers() -> int:  # what asyncpg raises unwrapped at connect (57P03)
        raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    @app.get("/cancelled")
    async def a_statement_cancelled() -> int:  # 57014 is an "operator intervention" too, but not an outage
        raise asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout")

    @app.get("/wrong")
    async def a_wrong_statement() -> int:
        async with live.session() as session:
            return int(await session.scalar(text("SELECT * FROM no_such_table")))

    return app


async def test_an_unreachable_database_is_503_with_retry_after_and_a_wrong_statement_stays_500() -> None:
    live, gone = Database(f"{PG_URL}/postgres"), Database(f"postgresql+asyncpg://tbms@127.0.0.1:{closed_port()}/x")
    transport = httpx.ASGITransport(app=service(live, gone), raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            for path in ("/gone", "/lost", "/starting"):
                answer = await client.get(path)
                assert answer.status_code == 503, (path, answer.text)
                assert answer.json()["detail"] == UNAVAILABLE
                assert answer.json()["code"] == "unavailable" and answer.headers["Retry-After"] == "5"
            assert (await client.get("/wrong")).status_code == 500
            assert (await client.get("/cancelled")).status_code == 500
    finally:
        await live.engine.dispose()
        await gone.engine.dispose()
