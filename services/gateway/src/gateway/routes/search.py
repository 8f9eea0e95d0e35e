"""The global search: suggestions while typing (htmx) and the results page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from gateway.deps import BackendDep
from gateway.errors import Forbidden, ServiceUnavailable
from gateway.templating import render

router = APIRouter(prefix="/search", tags=["検索"])
MIN_SUGGEST_LENGTH = 2


@router.get("")
async def search(request: Request, backend: BackendDep, q: str = "") -> Response:
    """Search results as a table linking to each record."""
    query = q.strip()
    results = await backend.search(query) if query else {"items": [], "total": 0}
    return render(request, "search/results.html", {"q": query, "results": results, "title": f"検索: {query}"})


@router.get("/suggest")
async def suggest(request: Request, backend: BackendDep, q: str = "") -> Response:
    """Suggestions from the 2nd character on (an htmx fragment); a failure is shown inside it."""
    query, items, failure = q.strip(), [], ""
    if len(query) >= MIN_SUGGEST_LENGTH:
        try:
            items = await backend.suggest(query)
        except (Forbidden, ServiceUnavailable) as exc:
            failure = exc.message
    context = {"q": query, "items": items, "failure": failure, "active": len(query) >= MIN_SUGGEST_LENGTH}
    return render(request, "search/_suggest.html", context)
