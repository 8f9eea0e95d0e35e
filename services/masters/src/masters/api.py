"""HTTP API of reference data."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from masters.models import District

router = APIRouter(tags=["マスタ"])


class DistrictRead(BaseModel):
    """One district as lists and forms show it."""

    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str


@router.get("/districts")
async def list_districts(session: SessionDep, _: PrincipalDep) -> list[DistrictRead]:
    """The districts (地区) in their usual order; reference data any logged-in user may read."""
    rows = await session.scalars(select(District).order_by(District.sort_order))
    return [DistrictRead.model_validate(row) for row in rows]
