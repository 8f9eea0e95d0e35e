"""A refused attempt is itself recorded in the operation history, though the request's work is rolled back (N05)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import ClassVar

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import select
from tbms_core.app import create_service_app
from tbms_core.auth import Access, Area, PrincipalDep
from tbms_core.db import Base, Database
from tbms_core.outbox import InboxMessage, OutboxMessage
from tbms_core.settings import ServiceSettings, prefix
from tbms_testing import auth_headers
from tbms_testing.services import drop_database, recreate_database
from tbms_testing.stack import ensure_infrastructure

router = APIRouter()


@router.post("/guarded")
async def guarded(principal: PrincipalDep) -> dict[str, str]:
    """An endpoint only users with 監査 update may call."""
    principal.require(Area.AUDIT, Access.UPDATE)
    return {"status": "done"}


class KernelSettings(ServiceSettings):
    """A throwaway service for this test."""

    model_config = prefix("kerneltest")
    service: ClassVar[str] = "kerneltest"


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A scratch database with the outbox and inbox tables."""
    ensure_infrastructure()
    name = f"tbms_kernel_t{os.getpid()}"
    await recreate_database(name)
    url = f"postgresql+asyncpg://tbms@127.0.0.1:55432/{name}"
    db = Database(url)
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[OutboxMessage.__table__, InboxMessage.__table__])
    await db.dispose()
    yield url
    await drop_database(name)


@pytest.mark.req("N05", partial=True)
async def test_a_refused_write_answers_in_japanese_and_is_audited_as_denied(database: str) -> None:
    app = create_service_app("kerneltest", KernelSettings(database_url=database), title="test", routers=[router])
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kerneltest") as client:
            response = await client.post("/guarded", headers=auth_headers("viewer1"))
        assert response.status_code == 403
        assert response.json()["detail"] == "「監査」の更新権限がありません。管理者に確認してください。"
        async with app.state.db.session() as session:
            rows = (await session.scalars(select(OutboxMessage))).all()
    audited = [row.payload["payload"] for row in rows]
    assert [(a["operation"], a["result"], a["username"], a["record_type"]) for a in audited] == [
        ("create", "denied", "viewer1", "/guarded")
    ]
