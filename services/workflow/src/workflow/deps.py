"""FastAPI dependencies of the workflow service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from workflow.circulation.service import CirculationService
from workflow.route.service import RouteService
from workflow.todo.service import TodoService

__all__ = ["CirculationServiceDep", "PrincipalDep", "RouteServiceDep", "SessionDep", "TodoServiceDep"]


def get_todo_service(session: SessionDep, principal: PrincipalDep) -> TodoService:
    """The to-do service of this request."""
    return TodoService(session, principal)


def get_circulation_service(session: SessionDep, principal: PrincipalDep) -> CirculationService:
    """The circulation service of this request."""
    return CirculationService(session, principal)


def get_route_service(session: SessionDep, principal: PrincipalDep) -> RouteService:
    """The route service of this request."""
    return RouteService(session, principal)


TodoServiceDep = Annotated[TodoService, Depends(get_todo_service)]
CirculationServiceDep = Annotated[CirculationService, Depends(get_circulation_service)]
RouteServiceDep = Annotated[RouteService, Depends(get_route_service)]
