"""The masters service application."""

from fastapi import FastAPI
from tbms_core.app import create_service_app

from masters.district.api import router as district_router
from masters.settings import get_settings


def create_app() -> FastAPI:
    """Builds the masters service."""
    return create_service_app("masters", get_settings(), title="tbms masters（マスタ管理）", routers=[district_router])
