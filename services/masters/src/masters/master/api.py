"""HTTP API of the master records (docs/masters-api.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from masters.deps import MAY_CHANGE, MasterServiceDep
from masters.master.schemas import (
    MasterChange,
    MasterCreate,
    MasterEnd,
    MasterFilter,
    MasterHistoryRead,
    MasterKindRead,
    MasterPage,
    MasterRead,
    MasterSuggestion,
)

router = APIRouter(prefix="/masters", tags=["マスタ"])


@router.get("/kinds")
async def list_kinds(masters: MasterServiceDep) -> list[MasterKindRead]:
    """Every kind of master with its fields, in display order."""
    return [MasterKindRead(**kind.public()) for kind in masters.kinds()]


@router.get("/{kind}")
async def list_records(kind: str, query: Annotated[MasterFilter, Query()], masters: MasterServiceDep) -> MasterPage:
    """A page of a kind's records valid on a day (today unless `on`), searched by code, name or カナ."""
    return await masters.listing(kind, query)


@router.get("/{kind}/suggest")
async def suggest(
    kind: str,
    masters: MasterServiceDep,
    q: str = "",
    limit: int = Query(10, ge=1, le=50),
    ref: str = "",
) -> list[MasterSuggestion]:
    """Type-ahead choices of records valid today; `ref` narrows doctors to one institution."""
    return await masters.suggest(kind, q, limit=limit, ref=ref)


@router.post("/{kind}", status_code=status.HTTP_201_CREATED, dependencies=MAY_CHANGE)
async def create_record(kind: str, data: MasterCreate, masters: MasterServiceDep) -> MasterRead:
    """Adds a record."""
    return await masters.create(kind, data)


@router.get("/{kind}/{code:path}/history")
async def record_history(kind: str, code: str, masters: MasterServiceDep) -> MasterHistoryRead:
    """The record's edit history, newest first."""
    return await masters.history(kind, code)


@router.post("/{kind}/{code:path}/end", dependencies=MAY_CHANGE)
async def end_record(kind: str, code: str, data: MasterEnd, masters: MasterServiceDep) -> MasterRead:
    """Ends a record on a day; records are never deleted."""
    return await masters.end(kind, code, data)


@router.get("/{kind}/{code:path}")
async def get_record(kind: str, code: str, masters: MasterServiceDep) -> MasterRead:
    """One record."""
    return await masters.get(kind, code)


@router.patch("/{kind}/{code:path}", dependencies=MAY_CHANGE)
async def change_record(kind: str, code: str, data: MasterChange, masters: MasterServiceDep) -> MasterRead:
    """Corrects a record; 409 when somebody saved since `version`."""
    return await masters.change(kind, code, data)
