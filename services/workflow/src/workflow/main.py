"""The workflow service application."""

from fastapi import FastAPI
from tbms_core.app import create_service_app

from workflow.circulation.api import router as circulation_router
from workflow.circulation.consumers import CONSUMERS as CIRCULATION_CONSUMERS
from workflow.route.api import router as route_router
from workflow.settings import get_settings
from workflow.todo.api import router as todo_router
from workflow.todo.consumers import CONSUMERS as TODO_CONSUMERS


def create_app() -> FastAPI:
    """Builds the workflow service."""
    return create_service_app(
        "workflow",
        get_settings(),
        title="tbms workflow（回議・供覧・ToDo）",
        routers=[todo_router, circulation_router, route_router],
        consumers=[*TODO_CONSUMERS, *CIRCULATION_CONSUMERS],
    )
