"""FastAPI dependency of the import and export service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from masters.transfer.service import TransferService


def get_transfer_service(session: SessionDep, principal: PrincipalDep) -> TransferService:
    """The import and export service of this request."""
    return TransferService(session, principal)


TransferServiceDep = Annotated[TransferService, Depends(get_transfer_service)]
