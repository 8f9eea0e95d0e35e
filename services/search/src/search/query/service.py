"""Searching the index within the areas the user may read, audited as a search of personal data."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.auth import Access, Area, Principal
from tbms_core.jp.text import normalize_input

from search.engine.base import SearchEngine, SearchFilters, SearchQuery
from search.engine.terms import parse_query
from search.query.errors import EmptyQuery
from search.query.schemas import IndexInfo, RecordType, SearchItem, SearchPage, Suggestion, SuggestionList

SERVICE = "search"
SUGGEST_FROM = 2  # characters typed before the drop-down opens
SUGGEST_LIMIT = 8


def readable_areas(principal: Principal) -> list[str]:
    """The areas whose records this user may see (参照 or 更新)."""
    return [area.value for area in Area if principal.can(area, Access.READ)]


class SearchService:
    """What staff do with the search box: search and get suggestions while typing."""

    def __init__(self, session: AsyncSession, principal: Principal, engine: SearchEngine) -> None:
        self.session, self.principal, self.engine = session, principal, engine

    async def search(
        self,
        text: str,
        *,
        record_type: RecordType | None = None,
        filters: SearchFilters | None = None,
        facets: bool = False,
        limit: int = 20,
        offset: int = 0,
    ) -> SearchPage:
        """Records matching every word and every condition that the user may read, best first."""
        filters = filters or SearchFilters()
        terms = parse_query(text)
        if terms.empty and filters.empty:
            raise EmptyQuery()
        query = self._query(text, record_type, limit=limit, offset=offset)
        result = await self.engine.search(_with(query, filters, facets))
        hits = f"{result.total}{'+' if result.total_is_lower_bound else ''}"
        await self._audit(text, detail=f"hits={hits}{_describe(filters)}")
        items = [SearchItem.of(hit, terms.words) for hit in result.hits]
        return SearchPage(
            items=items,
            total=result.total,
            total_is_lower_bound=result.total_is_lower_bound,
            facets=result.facets,
            index=IndexInfo.of(await self.engine.status()),
        )

    async def suggest(self, text: str) -> SuggestionList:
        """Up to eight records for the drop-down, from the second character typed."""
        terms = parse_query(text)
        if len(normalize_input(text)) < SUGGEST_FROM or terms.empty:
            return SuggestionList(items=[])
        hits = await self.engine.suggest(self._query(text, None, limit=SUGGEST_LIMIT, offset=0))
        await self._audit(text, detail=f"suggest hits={len(hits)}")
        return SuggestionList(items=[Suggestion.of(hit, terms.words) for hit in hits])

    def _query(self, text: str, record_type: RecordType | None, *, limit: int, offset: int) -> SearchQuery:
        kind = record_type.value if record_type else None
        return SearchQuery(text, readable_areas(self.principal), kind, limit=limit, offset=offset)

    async def _audit(self, text: str, *, detail: str) -> None:
        await audit.record(
            self.session, self.principal, SERVICE, Operation.SEARCH, record_type="search", query=text, detail=detail
        )


def _with(query: SearchQuery, filters: SearchFilters, facets: bool) -> SearchQuery:
    return SearchQuery(
        query.text, query.areas, query.record_type, query.limit, query.offset, filters=filters, facets=facets
    )


def _describe(filters: SearchFilters) -> str:
    """The conditions in the audit trail's detail, so a search by filters alone is still traceable."""
    if filters.empty:
        return ""
    values = {name: value for name, value in vars(filters).items() if value and getattr(value, "open", False) is False}
    return " filters=" + ";".join(f"{name}={value}" for name, value in values.items())[:400]
