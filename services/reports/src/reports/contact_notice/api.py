"""HTTP API of a contact's F29 管理検診お知らせ."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from reports.contact_notice.service import ContactNoticeService
from reports.document.filing import printed_headers

router = APIRouter(tags=["接触者健診の帳票"])


def get_notices(request: Request, session: SessionDep, principal: PrincipalDep) -> ContactNoticeService:
    """The contact notice service of this request."""
    return ContactNoticeService(session, principal, request.app.state.store, request.app.state.renderer)


@router.get(
    "/contact-letters/{contact_id}/F29",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "A4のPDF"}},
)
async def print_contact_notice(
    contact_id: uuid.UUID,
    notices: Annotated[ContactNoticeService, Depends(get_notices)],
    exam_id: uuid.UUID | None = None,
) -> Response:
    """F29 管理検診お知らせ for a contact's screening exam (exam_id; else the next planned one) with the appointment
    and place and the masters' letterhead; filed with the contact. 422 when no exam is planned or an item is missing."""
    printed, filename = await notices.print(contact_id, exam_id)
    return Response(printed.pdf, media_type="application/pdf", headers=printed_headers(printed, filename))
