"""HTTP API of forms and documents: print a form, read metadata, download the PDF, list a patient's."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from tbms_core.errors import InvalidInput
from tbms_core.web import MAX_OFFSET

from reports.deps import DocumentServiceDep
from reports.document.filing import OWNER_TYPES, screening_day_id
from reports.document.schemas import DocumentCreate, DocumentPage, DocumentRead

router = APIRouter(prefix="/documents", tags=["帳票・資料"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def generate_document(data: DocumentCreate, service: DocumentServiceDep) -> DocumentRead:
    """Prints a form about a patient (帳票出力) and stores the PDF."""
    return DocumentRead.of(await service.generate(data))


@router.get("")
async def list_documents(
    service: DocumentServiceDep,
    patient_id: uuid.UUID | None = None,
    owner_type: str | None = Query(None, max_length=20),
    owner_id: uuid.UUID | None = None,
    day: date | None = None,
    place: str = Query("", max_length=200),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> DocumentPage:
    """A patient's documents (every form printed about them), or those filed with a record (owner_type=contact,
    request, board_session or screening_day and owner_id), newest first; a screening day may be named by its day
    and place instead of its id (owner_type=screening_day&day=2026-12-14&place=…)."""
    if owner_type == "screening_day" and owner_id is None and day is not None and place.strip():
        owner_id = screening_day_id(day, place)
    if patient_id is not None:
        items, total = await service.page_of_patient(patient_id, limit=limit, offset=offset)
    elif owner_type in OWNER_TYPES and owner_id is not None:
        items, total = await service.page_of_owner(owner_type, owner_id, limit=limit, offset=offset)
    else:
        raise InvalidInput(
            "患者（patient_id）か、記録の種類と番号（owner_type・owner_id）を指定してください。",
            errors={"owner_type": f"記録の種類は {'・'.join(OWNER_TYPES)} のいずれかです。"},
        )
    return DocumentPage(items=[DocumentRead.of(d) for d in items], total=total)


@router.get("/{document_id}")
async def view_document(document_id: uuid.UUID, service: DocumentServiceDep) -> DocumentRead:
    """One document's metadata."""
    return DocumentRead.of(await service.view(document_id))


@router.get("/{document_id}/content", response_class=StreamingResponse)
async def download_document(document_id: uuid.UUID, service: DocumentServiceDep) -> StreamingResponse:
    """The stored PDF, streamed from the document store."""
    document, stream = await service.open_content(document_id)
    headers = {
        "Content-Disposition": f'inline; filename="{document.kind}-{document.id}.pdf"',
        "Content-Length": str(document.size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{document.sha256}"',
    }
    return StreamingResponse(
        stream.chunks(), media_type=document.content_type, headers=headers, background=BackgroundTask(stream.close)
    )
