"""HTTP API of the 診査会's forms: one case's, or a whole session's as one merged PDF."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from tbms_core.auth import PrincipalDep
from tbms_core.db import SessionDep

from reports.board_record.service import BoardPrintService
from reports.deps import RendererDep, StoreDep
from reports.document.filing import Printed, printed_headers

router = APIRouter(prefix="/board", tags=["診査会の帳票"])
ALL = "F16,F17,F28,F09,F13,F15,F10,F11,F12"


def get_board_print_service(
    session: SessionDep, principal: PrincipalDep, store: StoreDep, renderer: RendererDep
) -> BoardPrintService:
    """The 診査会 printing of this request."""
    return BoardPrintService(session, principal, store, renderer)


BoardPrintDep = Annotated[BoardPrintService, Depends(get_board_print_service)]


def _pdf(printed: Printed, name: str) -> Response:
    """The PDF shown; X-Document-Ids names the documents each form was filed as."""
    return Response(printed.pdf, media_type="application/pdf", headers=printed_headers(printed, f"{name}.pdf"))


@router.get("/cases/{case_id}/forms")
async def print_case(case_id: uuid.UUID, service: BoardPrintDep, forms: str = Query(ALL, max_length=200)) -> Response:
    """The chosen forms (F09–F17, F28) of one case that apply to it, as one PDF; each is filed with the patient."""
    return _pdf(await service.print_case(case_id, forms.split(",")), f"board-case-{case_id}")


@router.get("/sessions/{session_id}/forms")
async def print_session(
    session_id: uuid.UUID, service: BoardPrintDep, forms: str = Query(ALL, max_length=200)
) -> Response:
    """The chosen forms of every case of a session, in agenda order, as one merged PDF; each filed (R20)."""
    return _pdf(await service.print_session(session_id, forms.split(",")), f"board-session-{session_id}")
