"""The two routes a read model offers for one kind of record it keeps from another service's events, under
`/admin/backfill/<kind>`: POST stores a page of the owner's snapshots (`tbms replay`, and `tbms reconcile`'s repairs),
GET lists the ids and versions it holds page by page in id order (`tbms reconcile` compares them with the owner's).
The service behind them checks the caller (監査の更新) and keeps a repair in the operations log.

The module evaluates its annotations at definition time (no `from __future__ import annotations`): each route's
page and service types are the kind's own, known only inside the factory, so OpenAPI shows them.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from tbms_contracts.patients import BackfillReport, VersionPage

from tbms_core.read_models import VERSION_PAGE


def backfill_router() -> APIRouter:
    """The router the kinds of a service's read models are added to."""
    return APIRouter(prefix="/admin/backfill", tags=["読み取りモデルの再構築"])


def add_backfill_routes(
    router: APIRouter,
    kind: str,
    what: str,
    page_type: Any,
    service_dep: Any,
    *,
    backfill: str = "backfill",
    versions: str = "versions",
) -> None:
    """POST and GET `/<kind>` on `router`, calling the service's `backfill` and `versions` methods (named when a
    service keeps several kinds); `what` names the records in the OpenAPI descriptions."""

    async def store(page: page_type, service: service_dep) -> BackfillReport:  # type: ignore[valid-type]
        return await getattr(service, backfill)(page)

    async def held(
        service: service_dep,  # type: ignore[valid-type]
        after: uuid.UUID | None = None,
        limit: Annotated[int, Query(ge=1, le=VERSION_PAGE)] = VERSION_PAGE,
    ) -> VersionPage:
        return await getattr(service, versions)(after, limit)

    name = kind.replace("-", "_")
    router.add_api_route(
        f"/{kind}",
        store,
        methods=["POST"],
        name=f"backfill_{name}",
        description=f"Stores each {what}'s snapshot the read model holds in an older version or not at all"
        " (監査の更新 required).",
    )
    router.add_api_route(
        f"/{kind}",
        held,
        methods=["GET"],
        name=f"held_{name}_versions",
        description=f"The id and version of every {what} the read model holds, page by page in id order"
        " (`tbms reconcile`).",
    )
