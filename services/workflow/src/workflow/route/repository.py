"""Every query of the routes."""

from __future__ import annotations

from sqlalchemy import select
from tbms_core.repository import Repository

from workflow.route.errors import RouteNotFound
from workflow.route.models import Route


class RouteRepository(Repository[Route]):
    """Reads and writes routes."""

    model = Route
    not_found = RouteNotFound

    async def all(self) -> list[Route]:
        """Every route of its own, by document type."""
        return list((await self.session.scalars(select(Route).order_by(Route.document_type))).all())
