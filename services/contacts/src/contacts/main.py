"""The contacts service application."""

import asyncio

from fastapi import FastAPI
from tbms_core.app import ServiceKit, create_service_app

from contacts.code_list.api import router as code_list_router
from contacts.code_list.consumers import CONSUMERS as CODE_LIST_CONSUMERS
from contacts.contact.api import router as contact_router
from contacts.deadline.api import router as deadline_router
from contacts.deadline.service import PUBLISHERS
from contacts.exam.api import router as exam_router
from contacts.gaiji.consumers import CONSUMERS as GAIJI_CONSUMERS
from contacts.group.api import router as group_router
from contacts.index_case.api import backfill_router as index_case_backfill_router
from contacts.index_case.api import router as index_case_router
from contacts.index_case.consumers import CONSUMERS as INDEX_CASE_CONSUMERS
from contacts.institution.consumers import CONSUMERS as INSTITUTION_CONSUMERS
from contacts.recommendation.api import router as recommendation_router
from contacts.request.api import router as request_router
from contacts.retention.consumers import CONSUMERS as RETENTION_CONSUMERS
from contacts.settings import get_settings


def create_app() -> FastAPI:
    """Builds the contacts service."""

    async def start(kit: ServiceKit) -> None:
        if kit.settings.deadline_sweep_seconds > 0:
            for publisher in PUBLISHERS:
                sweeping = publisher.run(kit.db, kit.settings.deadline_sweep_seconds)
                kit.tasks.append(asyncio.create_task(sweeping, name=f"contacts-{publisher.aggregate}-deadline-sweep"))

    app = create_service_app(
        "contacts",
        get_settings(),
        title="tbms contacts（接触者管理）",
        routers=[
            index_case_router,
            index_case_backfill_router,
            contact_router,
            exam_router,
            recommendation_router,
            request_router,
            group_router,
            deadline_router,
            code_list_router,
        ],
        consumers=[
            *INDEX_CASE_CONSUMERS,
            *INSTITUTION_CONSUMERS,
            *CODE_LIST_CONSUMERS,
            *GAIJI_CONSUMERS,
            *RETENTION_CONSUMERS,
        ],
        on_startup=start,
    )
    for publisher in PUBLISHERS:  # every unit of work republishes the deadlines of the contacts and requests it wrote
        publisher.install(app.state.db)
    return app
