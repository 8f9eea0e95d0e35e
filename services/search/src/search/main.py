"""The search service application."""

from __future__ import annotations

from fastapi import FastAPI
from tbms_core.app import ServiceKit, create_service_app

from search.engine.factory import create_engine
from search.indexing.api import router as admin_router
from search.indexing.consumers import consumers
from search.query.api import router as search_router
from search.settings import get_settings


def create_app() -> FastAPI:
    """Builds the search service with the engine the settings choose."""
    settings = get_settings()
    engine = create_engine(settings)

    async def open_index(_: ServiceKit) -> None:
        await engine.start()

    async def close_index(_: ServiceKit) -> None:
        await engine.close()

    app = create_service_app(
        "search",
        settings,
        title="tbms search（検索）",
        routers=[search_router, admin_router],
        consumers=consumers(engine),
        on_startup=open_index,
        on_shutdown=close_index,
    )
    app.state.engine = engine
    return app
