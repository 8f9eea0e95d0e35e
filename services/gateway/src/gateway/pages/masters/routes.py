"""マスタ管理 (R25, R26): the kinds as a menu and each master's list with its search; the rest in *_routes.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response
from tbms_core.auth import Access, Area

from gateway.pages.masters import picker_routes, record_routes, transfer_routes
from gateway.pages.masters.view import PAGE_SIZE, Paging, columns, list_rows
from gateway.web.deps import MastersDep, require_access
from gateway.web.templating import render

router = APIRouter(prefix="/masters", tags=["マスタ管理"])
CAN_READ = [Depends(require_access(Area.MASTERS, Access.READ))]
MAX_QUERY = 100


@router.get("", dependencies=CAN_READ)
async def kinds(request: Request, masters: MastersDep) -> Response:
    """Every kind of master as a menu."""
    return render(request, "masters/index.html", {"kinds": await masters.kinds(), "title": "マスタ管理"})


# Before the row's own pages: /masters/{kind}/suggest, /new, /import and /export.csv are not codes.
router.include_router(picker_routes.router)
router.include_router(transfer_routes.router)
router.include_router(record_routes.router)


@router.get("/{kind}", dependencies=CAN_READ)
async def list_rows_of(
    request: Request, kind: str, masters: MastersDep, q: str = "", include_ended: str = "", page: int = 1
) -> Response:
    """One master's rows valid today (or all), searched by code, name or カナ, a page at a time."""
    master = await masters.kind(kind)
    query, ended, page = q.strip()[:MAX_QUERY], include_ended == "1", max(page, 1)
    found = await masters.records(kind, q=query, include_ended=ended, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    context = {
        "kind": master,
        "columns": columns(master),
        "rows": list_rows(master, found["items"]),
        "paging": Paging(total=found["total"], page=page),
        "q": query,
        "include_ended": ended,
        "title": f"{master.label}の一覧",
        "nav_path": "/masters",
    }
    return render(request, "masters/list.html", context)
