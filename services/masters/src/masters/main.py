"""The masters service application."""

from fastapi import FastAPI
from tbms_core.app import create_service_app

from masters.assignment.api import router as assignment_router
from masters.district.api import router as district_router
from masters.master.api import router as master_router
from masters.settings import get_settings
from masters.transfer.api import router as transfer_router


def create_app() -> FastAPI:
    """Builds the masters service."""
    # Routers with fixed paths under /masters/ (imports, export.csv) must come before master_router, whose
    # /masters/{kind}/{code} would otherwise read them as a record's code.
    return create_service_app(
        "masters",
        get_settings(),
        title="tbms masters（マスタ管理）",
        routers=[district_router, assignment_router, transfer_router, master_router],
    )
