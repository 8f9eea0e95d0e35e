"""HTTP API of the district master."""

from __future__ import annotations

from fastapi import APIRouter

from masters.deps import DistrictServiceDep
from masters.district.schemas import DistrictRead

router = APIRouter(tags=["マスタ"])


@router.get("/districts")
async def list_districts(service: DistrictServiceDep) -> list[DistrictRead]:
    """The districts (地区) in their usual order; reference data any logged-in user may read."""
    return [DistrictRead.model_validate(row) for row in await service.list_districts()]
