"""FastAPI dependencies of the contacts service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from contacts.index_case.service import IndexCaseService


def get_index_case_service(session: SessionDep, principal: PrincipalDep) -> IndexCaseService:
    """The index-case service of this request."""
    return IndexCaseService(session, principal)


IndexCaseServiceDep = Annotated[IndexCaseService, Depends(get_index_case_service)]
