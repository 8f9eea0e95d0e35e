"""Reading the district master: reference data any logged-in user may read."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from tbms_core.auth import Principal

from masters.district.models import District
from masters.district.repository import DistrictRepository


class DistrictService:
    """What staff do with districts: pick one from the list."""

    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session, self.principal = session, principal
        self.districts = DistrictRepository(session)

    async def list_districts(self) -> list[District]:
        """The districts (地区) in their usual order."""
        return await self.districts.in_order()
