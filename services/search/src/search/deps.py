"""FastAPI dependencies of the search service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from search.engine.base import SearchEngine
from search.indexing.service import ReindexService
from search.query.service import SearchService


def get_engine(request: Request) -> SearchEngine:
    """The running search engine of this app."""
    return request.app.state.engine


EngineDep = Annotated[SearchEngine, Depends(get_engine)]


def get_search_service(session: SessionDep, principal: PrincipalDep, engine: EngineDep) -> SearchService:
    """The search service of this request."""
    return SearchService(session, principal, engine)


def get_reindex_service(session: SessionDep, principal: PrincipalDep, engine: EngineDep) -> ReindexService:
    """The index rebuild service of this request."""
    return ReindexService(session, principal, engine)


SearchServiceDep = Annotated[SearchService, Depends(get_search_service)]
ReindexServiceDep = Annotated[ReindexService, Depends(get_reindex_service)]
