"""A contact's 管理検診お知らせ (F29) for one of the screening exams, printed by reports and filed with the contact."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends
from starlette.responses import Response
from tbms_core.auth import Access, Area

from gateway.web.deps import ReportsDep, require_access
from gateway.web.downloads import relay

router = APIRouter()
CAN_PRINT = [Depends(require_access(Area.CONTACTS, Access.READ)), Depends(require_access(Area.FORMS, Access.READ))]


@router.get("/{contact_id:uuid}/notices/F29", dependencies=CAN_PRINT)
async def print_followup_notice(
    contact_id: uuid.UUID, reports: ReportsDep, exam_id: uuid.UUID | None = None
) -> Response:
    """F29 for the chosen exam (else the next planned one) with its appointment and place; reports files it as a
    document of the contact. A refusal (no exam planned, not yet in reports) is shown with its Japanese message."""
    params = {"exam_id": str(exam_id)} if exam_id else None
    return relay(await reports.contact_form(f"/contact-letters/{contact_id}/F29", params), media_type="application/pdf")
