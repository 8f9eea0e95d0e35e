"""The reports service application."""

from fastapi import FastAPI
from tbms_core.app import create_service_app

from reports.board_record.api import router as board_router
from reports.board_record.consumers import CONSUMERS as BOARD_CONSUMERS
from reports.care_record.consumers import CONSUMERS as CARE_RECORD_CONSUMERS
from reports.document.api import router as document_router
from reports.forms.render import FormRenderer
from reports.lab_result.consumers import CONSUMERS as LAB_RESULT_CONSUMERS
from reports.master_snapshot.consumers import CONSUMERS as MASTER_CONSUMERS
from reports.patient_summary.consumers import CONSUMERS as PATIENT_CONSUMERS
from reports.settings import get_settings
from reports.storage import DocumentStore


def create_app() -> FastAPI:
    """Builds the reports service."""
    settings = get_settings()
    consumers = [*PATIENT_CONSUMERS, *LAB_RESULT_CONSUMERS, *CARE_RECORD_CONSUMERS, *MASTER_CONSUMERS, *BOARD_CONSUMERS]
    app = create_service_app(
        "reports",
        settings,
        title="tbms reports（帳票・資料）",
        routers=[document_router, board_router],
        consumers=consumers,
    )
    app.state.store = DocumentStore(settings)
    app.state.renderer = FormRenderer()
    return app
