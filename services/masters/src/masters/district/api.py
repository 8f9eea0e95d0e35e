"""HTTP API of the district list (kept for the gateway; the districts are `district` master records)."""

from __future__ import annotations

from fastapi import APIRouter

from masters.deps import DistrictServiceDep
from masters.district.schemas import DistrictRead

router = APIRouter(tags=["マスタ"])


@router.get("/districts")
async def list_districts(service: DistrictServiceDep) -> list[DistrictRead]:
    """The districts (地区) valid today in their usual order; reference data any logged-in user may read."""
    return await service.list_districts()
