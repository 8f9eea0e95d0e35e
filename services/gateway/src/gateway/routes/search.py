"""The global search: suggestions while typing (htmx), the results page and the advanced search page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import QueryParams
from starlette.responses import Response

from gateway.clients import Backend
from gateway.deps import BackendDep
from gateway.errors import Forbidden, ServiceUnavailable
from gateway.templating import DISTRICTS, render

router = APIRouter(prefix="/search", tags=["検索"])
MIN_SUGGEST_LENGTH = 2
RESULT_LIMIT = 50
MAX_QUERY = 200
LISTS = ("type", "status", "district", "sex")  # checkboxes: any number of values
SINGLE = (
    "nurse",
    "birth_from",
    "birth_to",
    "registered_from",
    "registered_to",
    "diagnosed_from",
    "diagnosed_to",
    "age_min",
    "age_max",
)
FACET_LABELS = {"record_type": "種別", "status": "状態", "district": "地区", "sex": "性別"}
FACET_PARAMS = {"record_type": "type", "status": "status", "district": "district", "sex": "sex"}
RECORD_TYPES = {"patient": "患者", "contact": "接触者", "document": "資料", "master": "マスタ"}
STATUSES = {"active": "登録中", "excluded": "登録除外", "transferred_out": "転出", "closed": "終了"}


@router.get("")
async def search(request: Request, backend: BackendDep, q: str = "") -> Response:
    """Search results as a table linking to each record, with counts per type, status, district and sex."""
    query = q.strip()
    results = await _search(backend, {"q": query}) if query else {"items": [], "total": 0, "facets": {}, "index": {}}
    context = {"q": query, "results": results, "title": f"検索: {query}", **_labels()}
    return render(request, "search/results.html", context)


@router.get("/advanced")
async def advanced(request: Request, backend: BackendDep) -> Response:
    """The advanced search: free text combined with conditions; results only once something is asked."""
    conditions = _conditions(request.query_params)
    results = await _search(backend, conditions) if conditions else None
    context = {"conditions": conditions, "results": results, "title": "詳細検索", **_labels()}
    return render(request, "search/advanced.html", context)


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


def _conditions(params: QueryParams) -> dict[str, Any]:
    """The filled-in fields of the advanced form, lists for the checkboxes."""
    conditions: dict[str, Any] = {}
    if q := params.get("q", "").strip():
        conditions["q"] = q[:MAX_QUERY]
    for name in LISTS:
        if values := [value for value in params.getlist(name) if value]:
            conditions[name] = values
    for name in SINGLE:
        if value := params.get(name, "").strip():
            conditions[name] = value
    return conditions


async def _search(backend: Backend, conditions: dict[str, Any]) -> dict[str, Any]:
    """One page of results with facet counts; each hit knows its record type under "type" too."""
    params = conditions | {"facets": "true", "limit": RESULT_LIMIT}
    body = await backend.get_json(f"{backend.settings.search_url}/search", **params)
    items = [{**item, "type": item.get("type") or item.get("record_type") or "patient"} for item in body["items"]]
    return {
        "items": items,
        "total": body.get("total", 0),
        "lower_bound": bool(body.get("total_is_lower_bound")),  # search stopped counting: 「1,000件以上」
        "facets": body.get("facets") or {},
        "index": body.get("index") or {},  # complete, rebuilding or needs_reindex: an incomplete index is said so
    }


def _labels() -> dict[str, Any]:
    return {
        "facet_labels": FACET_LABELS,
        "facet_params": FACET_PARAMS,
        "record_types": RECORD_TYPES,
        "statuses": STATUSES,
        "district_options": {district: district for district in DISTRICTS},
    }
