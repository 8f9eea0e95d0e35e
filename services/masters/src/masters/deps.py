"""FastAPI dependencies of the masters service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from masters.district.service import DistrictService
from masters.master.service import MasterService

__all__ = ["DistrictServiceDep", "MasterServiceDep", "PrincipalDep", "SessionDep"]


def get_district_service(session: SessionDep, principal: PrincipalDep) -> DistrictService:
    """The district service of this request."""
    return DistrictService(session, principal)


def get_master_service(session: SessionDep, principal: PrincipalDep) -> MasterService:
    """The master-data service of this request."""
    return MasterService(session, principal)


DistrictServiceDep = Annotated[DistrictService, Depends(get_district_service)]
MasterServiceDep = Annotated[MasterService, Depends(get_master_service)]
