"""FastAPI dependencies of the masters service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from masters.district.service import DistrictService


def get_district_service(session: SessionDep, principal: PrincipalDep) -> DistrictService:
    """The district service of this request (any logged-in user)."""
    return DistrictService(session, principal)


DistrictServiceDep = Annotated[DistrictService, Depends(get_district_service)]
