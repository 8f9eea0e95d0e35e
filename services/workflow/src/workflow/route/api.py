"""Route endpoints: read a document type's route, set it (administrators)."""

from __future__ import annotations

from fastapi import APIRouter

from workflow.deps import RouteServiceDep
from workflow.route.schemas import RouteChange, RouteRead

router = APIRouter(prefix="/routes", tags=["回議ルート"])


@router.get("", response_model=list[RouteRead])
async def list_routes(routes: RouteServiceDep) -> list[RouteRead]:
    """The routes set per document type (others take the default)."""
    return await routes.list()


@router.get("/{document_type}", response_model=RouteRead)
async def read_route(document_type: str, routes: RouteServiceDep) -> RouteRead:
    """The route a document of this type takes."""
    return await routes.route_of(document_type)


@router.put("/{document_type}", response_model=RouteRead)
async def set_route(document_type: str, data: RouteChange, routes: RouteServiceDep) -> RouteRead:
    """Sets a document type's route."""
    return await routes.set_route(document_type, data)
