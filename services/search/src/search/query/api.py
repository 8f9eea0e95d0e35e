"""HTTP API of search: itemless search, advanced conditions and suggestions, limited to what the user may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from tbms_core.clock import today
from tbms_core.web import MAX_OFFSET

from search.deps import SearchServiceDep
from search.query.filters import SearchConditions
from search.query.schemas import SearchPage, SuggestionList

router = APIRouter(prefix="/search", tags=["検索"])
Text = Annotated[str, Query(max_length=200, description="氏名・カナ・生年月日（S45 など）・登録番号・電話番号…")]


@router.get("")
async def search(
    service: SearchServiceDep,
    conditions: Annotated[SearchConditions, Query()],
    q: Text = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> SearchPage:
    """Itemless search plus conditions: every word and every condition must match (AND), best first."""
    filters = conditions.filters(today())
    return await service.search(q, filters=filters, facets=conditions.facets, limit=limit, offset=offset)


@router.get("/suggest")
async def suggest(service: SearchServiceDep, q: Text) -> SuggestionList:
    """Up to eight suggestions while typing, from the second character."""
    return await service.suggest(q)
