"""Every query of the district master; never commits."""

from __future__ import annotations

from sqlalchemy import select
from tbms_core.repository import Repository

from masters.district.errors import DistrictNotFound
from masters.district.models import District


class DistrictRepository(Repository[District]):
    """Reads districts in the caller's unit of work."""

    model = District
    not_found = DistrictNotFound

    async def in_order(self) -> list[District]:
        """Every district in the order lists show them."""
        return list(await self.session.scalars(select(District).order_by(District.sort_order)))
