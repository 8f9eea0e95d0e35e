"""The search service application."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI, Response
from fastapi.routing import APIRoute
from tbms_core.app import ServiceKit, create_service_app

from search.engine.base import SearchEngine
from search.engine.factory import create_engine
from search.gaiji import service as gaiji
from search.gaiji.consumers import CONSUMERS as GAIJI_CONSUMERS
from search.indexing.api import router as admin_router
from search.indexing.consumers import consumers
from search.indexing.repository import IndexedVersionRepository
from search.query.api import router as search_router
from search.rebuild.service import check_rebuilds, resume_rebuilds, watch_rebuilds
from search.settings import get_settings

READY = "/health/ready"


def create_app() -> FastAPI:
    """Builds the search service with the engine the settings choose."""
    settings = get_settings()
    engine = create_engine(settings)

    async def open_index(kit: ServiceKit) -> None:
        await gaiji.refresh(kit.db)  # before the first document or query is folded
        refresher = gaiji.keep_fresh(kit.db, settings.gaiji_refresh_seconds)
        kit.tasks.append(asyncio.create_task(refresher, name="search-gaiji-master"))
        await engine.start()
        async with kit.db.session() as session:
            indexed = await IndexedVersionRepository(session).count()
        await engine.check_against_ledger(indexed)
        await resume_rebuilds(kit.db, engine)
        if settings.rebuild_check_seconds > 0:
            watch = watch_rebuilds(kit.db, engine, settings.rebuild_check_seconds)
            kit.tasks.append(asyncio.create_task(watch, name="search-rebuild-watch"))

    async def close_index(_: ServiceKit) -> None:
        await engine.close()

    app = create_service_app(
        "search",
        settings,
        title="tbms search（検索）",
        routers=[search_router, admin_router],
        consumers=[*consumers(engine), *GAIJI_CONSUMERS],
        on_startup=open_index,
        on_shutdown=close_index,
    )
    app.state.engine = engine
    report_index_when_ready(app, engine)
    return app


def report_index_when_ready(app: FastAPI, engine: SearchEngine) -> None:
    """`/health/ready` also says whether the index is complete; it stays "ok": a partial search beats none.

    A running rebuild is shown with its progress (`index.rebuild`) while the state stays complete: searches read
    the live index until the new one is swapped in. Reading it also discards a rebuild no page came for.
    The route is placed before the one every service shares and runs the same checks (database, NATS).
    """
    kit: ServiceKit = app.state.kit

    async def ready(response: Response) -> dict[str, Any]:
        try:
            async with kit.db.session() as session:
                await IndexedVersionRepository(session).ping()
            if not await kit.broker.ping(timeout=2):
                raise ConnectionError("NATS does not answer")
        except Exception as exc:
            response.status_code = 503
            return {"status": "unavailable", "reason": f"{type(exc).__name__}: {exc}"[:200]}
        return {"status": "ok", "index": (await check_rebuilds(kit.db, engine)).to_json()}

    route = APIRoute(READY, ready, methods=["GET"], tags=["health"], include_in_schema=False)
    app.router.routes.insert(0, route)
