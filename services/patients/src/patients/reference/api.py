"""The code lists of the registration card with their Japanese labels, so screens and forms use the same ones."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from tbms_core.auth import PrincipalDep
from tbms_core.clock import today
from tbms_core.db import SessionDep

from patients.reference.service import card_code_lists

router = APIRouter(prefix="/reference", tags=["コード表"])


@router.get("/card")
async def card_codes(session: SessionDep, principal: PrincipalDep, on: date | None = None) -> dict[str, dict[str, str]]:
    """Every code list of the forms: `{list: {code: Japanese label}}` in display order, with the codes of masters'
    コード表 (職業, 検体, 薬剤, レジメン, 除外理由) in force on `on` (today unless given) and, under
    `former:<list>`, the ended ones still shown on old records."""
    return await card_code_lists(session, principal, on or today())
