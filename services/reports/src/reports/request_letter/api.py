"""HTTP API of the letters between health centres (F30 依頼, F27 回答)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from reports.document.filing import printed_headers
from reports.request_letter.service import LetterService

router = APIRouter(tags=["他自治体への依頼・回答"])


def get_letters(request: Request, session: SessionDep, principal: PrincipalDep) -> LetterService:
    """The letter service of this request."""
    return LetterService(session, principal, request.app.state.store, request.app.state.renderer)


@router.get(
    "/request-letters/{request_id}/{form}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "A4のPDF"}},
)
async def print_letter(
    request_id: uuid.UUID, form: str, letters: Annotated[LetterService, Depends(get_letters)]
) -> Response:
    """F30 for a request to another health centre, F27 for the reply to one received; filed with the request."""
    printed, filename = await letters.print(request_id, form)
    return Response(printed.pdf, media_type="application/pdf", headers=printed_headers(printed, filename))


@router.get(
    "/contact-letters/{contact_id}/F20",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "A4のPDF"}},
)
async def print_information(
    contact_id: uuid.UUID,
    letters: Annotated[LetterService, Depends(get_letters)],
    institution: Annotated[str, Query(min_length=1, max_length=200)],
    doctor: Annotated[str, Query(max_length=100)] = "",
    purpose: Annotated[str, Query(max_length=300)] = "精密検査（胸部X線・喀痰検査等）と、必要に応じた治療のご検討",
) -> Response:
    """F20 情報提供書 for a contact to the medical institution that examines or treats them; filed with the contact."""
    printed, filename = await letters.information(contact_id, institution, doctor, purpose)
    return Response(printed.pdf, media_type="application/pdf", headers=printed_headers(printed, filename))
