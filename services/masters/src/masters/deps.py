"""FastAPI dependencies of the masters service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import Access, Area, PrincipalDep
from tbms_core.db import SessionDep

from masters.district.service import DistrictService
from masters.master.service import MasterService

__all__ = ["MAY_CHANGE", "DistrictServiceDep", "MasterServiceDep", "PrincipalDep", "SessionDep"]


def get_district_service(session: SessionDep, principal: PrincipalDep) -> DistrictService:
    """The district service of this request."""
    return DistrictService(session, principal)


def get_master_service(session: SessionDep, principal: PrincipalDep) -> MasterService:
    """The master-data service of this request."""
    return MasterService(session, principal)


DistrictServiceDep = Annotated[DistrictService, Depends(get_district_service)]
MasterServiceDep = Annotated[MasterService, Depends(get_master_service)]


def may_change_masters(principal: PrincipalDep) -> None:
    """Refuses a change by a user without マスタ管理 更新 before the request body is read (403, not 422)."""
    principal.require(Area.MASTERS, Access.UPDATE)


MAY_CHANGE = [Depends(may_change_masters)]
