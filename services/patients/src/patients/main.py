"""The patients service application."""

import asyncio

from fastapi import FastAPI
from tbms_core.app import ServiceKit, create_service_app

from patients import snapshot_api
from patients.board.api import router as board_router
from patients.care.api import router as care_router
from patients.code_list.consumers import CONSUMERS as CODE_LIST_CONSUMERS
from patients.custom_field.api import router as custom_field_router
from patients.deadline.api import router as deadline_router
from patients.deadline.service import PUBLISHER
from patients.dots.api import router as dots_router
from patients.export.api import router as export_router
from patients.followup.api import router as followup_router
from patients.investigation.api import router as investigation_router
from patients.lab_result.api import router as lab_result_router
from patients.patient.api import router as patient_router
from patients.patient_list.api import router as patient_list_router
from patients.reference.api import router as reference_router
from patients.retention.api import router as retention_router
from patients.retention.service import run_daily as run_retention_daily
from patients.settings import get_settings


def create_app() -> FastAPI:
    """Builds the patients service."""

    async def start(kit: ServiceKit) -> None:
        if kit.settings.deadline_sweep_seconds > 0:
            sweeping = PUBLISHER.run(kit.db, kit.settings.deadline_sweep_seconds)
            kit.tasks.append(asyncio.create_task(sweeping, name="patients-deadline-sweep"))
        if kit.settings.retention_sweep_seconds > 0:
            listing = run_retention_daily(kit.db, kit.settings.retention_sweep_seconds)
            kit.tasks.append(asyncio.create_task(listing, name="patients-retention-due"))

    app = create_service_app(
        "patients",
        get_settings(),
        title="tbms patients（患者管理）",
        # export first: its fixed path `/patients/export` must win over `/patients/{patient_id}`
        routers=[
            export_router,
            patient_list_router,
            patient_router,
            snapshot_api.router,
            lab_result_router,
            care_router,
            dots_router,
            followup_router,
            investigation_router,
            board_router,
            custom_field_router,
            reference_router,
            deadline_router,
            retention_router,
        ],
        on_startup=start,
        consumers=CODE_LIST_CONSUMERS,
    )
    PUBLISHER.install(app.state.db)  # every unit of work republishes the deadlines of the patients it wrote
    return app
