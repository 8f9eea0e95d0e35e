"""Routes per document type: the configured default unless an administrator set one of its own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Access, Area, Principal
from tbms_core.db import flush_versioned

from workflow.route.errors import RouteStepUnknown
from workflow.route.models import Route
from workflow.route.repository import RouteRepository
from workflow.route.schemas import RouteChange, RouteRead, RouteStep
from workflow.settings import get_settings


def default_route(document_type: str) -> RouteRead:
    """The configured default route (担当 → 係長 → 課長 → 所長, 代決 allowed for the last two)."""
    steps = [RouteStep.model_validate(step) for step in get_settings().default_route]
    return RouteRead(document_type=document_type, name="既定", steps=steps, default=True)


class RouteService:
    """Reading routes (anyone who may submit) and setting them (administrators: マスタ管理 更新)."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.routes = RouteRepository(session)

    async def route_of(self, document_type: str) -> RouteRead:
        """The route a document of this type takes."""
        route = await self.routes.find(document_type)
        return RouteRead.model_validate(route) if route is not None else default_route(document_type)

    async def list(self) -> list[RouteRead]:
        """The routes set per document type."""
        return [RouteRead.model_validate(route) for route in await self.routes.all()]

    async def set_route(self, document_type: str, data: RouteChange) -> RouteRead:
        """Sets the route of a document type (only 管理者); a circulation under way keeps the route it started."""
        self.principal.require(Area.MASTERS, Access.UPDATE)
        known = set(get_settings().step_roles)
        if any(step.role not in known or not set(step.on_behalf_by) <= known for step in data.steps):
            raise RouteStepUnknown(errors={"steps": f"使える役職: {'・'.join(known)}"})
        steps = [step.model_dump() for step in data.steps]
        route = await self.routes.find(document_type)
        if route is None:
            route = await self.routes.add(Route(document_type=document_type, name=data.name, steps=steps))
        else:
            route.check_version(data.version)
            route.name, route.steps = data.name, steps
        route.updated_by = self.principal.user_id
        await flush_versioned(self.session)
        return RouteRead.model_validate(route)
