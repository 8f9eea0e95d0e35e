"""HTTP API of forms and documents: print a form, read metadata, download the PDF, list a patient's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask
from tbms_core.web import MAX_OFFSET

from reports.deps import DocumentServiceDep
from reports.document.schemas import DocumentCreate, DocumentPage, DocumentRead

router = APIRouter(prefix="/documents", tags=["帳票・資料"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def generate_document(data: DocumentCreate, service: DocumentServiceDep) -> DocumentRead:
    """Prints a form about a patient (帳票出力) and stores the PDF."""
    return DocumentRead.of(await service.generate(data))


@router.get("")
async def list_documents(
    service: DocumentServiceDep,
    patient_id: uuid.UUID,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> DocumentPage:
    """A patient's documents, newest first."""
    items, total = await service.page_of_patient(patient_id, limit=limit, offset=offset)
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
