"""The global search: suggestions while typing (htmx), the results page and the advanced search page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from gateway.pages.search.entry_forms import conditions_of
from gateway.pages.search.view import advanced_labels, labels, no_results, nurse_options
from gateway.web.deps import MastersDep, SearchDep, same_site_only
from gateway.web.errors import Forbidden, ServiceUnavailable
from gateway.web.templating import render

router = APIRouter(prefix="/search", tags=["検索"], dependencies=[Depends(same_site_only)])
MIN_SUGGEST_LENGTH = 2


@router.get("")
async def search(request: Request, search_service: SearchDep, q: str = "") -> Response:
    """Search results as a table linking to each record, with counts per type, status, district and sex."""
    query = q.strip()
    results = await search_service.search({"q": query}) if query else no_results()
    context = {"q": query, "results": results, "title": f"検索: {query}", **labels()}
    return render(request, "search/results.html", context)


@router.get("/advanced")
async def advanced(request: Request, search_service: SearchDep, masters: MastersDep) -> Response:
    """The advanced search: free text combined with conditions; results only once something is asked."""
    conditions = conditions_of(request.query_params)
    results = await search_service.search(conditions) if conditions else None
    districts, nurses = await masters.districts(), await masters.nurse_names()
    context = {
        "conditions": conditions,
        "results": results,
        "title": "詳細検索",
        **advanced_labels(districts),
        "nurse_options": nurse_options(nurses),
    }
    return render(request, "search/advanced.html", context)


@router.get("/suggest")
async def suggest(request: Request, search_service: SearchDep, q: str = "") -> Response:
    """Suggestions from the 2nd character on (an htmx fragment); a failure is shown inside it."""
    query, items, failure = q.strip(), [], ""
    if len(query) >= MIN_SUGGEST_LENGTH:
        try:
            items = await search_service.suggest(query)
        except (Forbidden, ServiceUnavailable) as exc:
            failure = exc.message
    context = {"q": query, "items": items, "failure": failure, "active": len(query) >= MIN_SUGGEST_LENGTH}
    return render(request, "search/_suggest.html", context)
