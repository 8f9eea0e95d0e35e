"""The code lists of the registration card with their Japanese labels, so screens and forms use the same ones."""

from __future__ import annotations

from fastapi import APIRouter
from tbms_core.auth import Access, Area, PrincipalDep

from patients.reference.codes import CODE_LISTS

router = APIRouter(prefix="/reference", tags=["コード表"])


@router.get("/card")
async def card_code_lists(principal: PrincipalDep) -> dict[str, dict[str, str]]:
    """Every code list of the card: `{list: {code: Japanese label}}`, in display order."""
    principal.require(Area.PATIENTS, Access.READ)
    return CODE_LISTS
