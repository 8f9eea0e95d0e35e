"""The districts (地区) as the gateway's pickers read them: the `district` master records valid today."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Principal

from masters.district.schemas import DistrictRead
from masters.master.schemas import MasterFilter
from masters.master.service import MasterService

KIND = "district"


class DistrictService:
    """What staff do with districts: pick one from the list."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.masters = MasterService(session, principal)

    async def list_districts(self) -> list[DistrictRead]:
        """The districts valid today, in their usual order (表示順)."""
        page = await self.masters.listing(KIND, MasterFilter(limit=500))
        return [DistrictRead(code=row.code, name=row.name) for row in page.items]
