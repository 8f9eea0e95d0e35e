"""FastAPI dependencies of the search service."""

from typing import Annotated

from fastapi import Depends, Request

from search.engine.base import SearchEngine


def get_engine(request: Request) -> SearchEngine:
    """The running search engine of this app."""
    return request.app.state.engine


EngineDep = Annotated[SearchEngine, Depends(get_engine)]
