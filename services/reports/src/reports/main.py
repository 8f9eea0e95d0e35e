"""The reports service application."""

from fastapi import FastAPI
from tbms_core.app import create_service_app

from reports.document.api import router as document_router
from reports.forms.render import FormRenderer
from reports.patient_summary.consumers import CONSUMERS
from reports.settings import get_settings
from reports.storage import DocumentStore


def create_app() -> FastAPI:
    """Builds the reports service."""
    settings = get_settings()
    app = create_service_app(
        "reports", settings, title="tbms reports（帳票・資料）", routers=[document_router], consumers=CONSUMERS
    )
    app.state.store = DocumentStore(settings)
    app.state.renderer = FormRenderer()
    return app
