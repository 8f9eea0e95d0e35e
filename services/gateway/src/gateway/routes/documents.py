"""Generated documents: the PDF streamed from reports, opened in the browser."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from gateway.deps import BackendDep

router = APIRouter(prefix="/documents", tags=["帳票"])


def content_disposition(filename: str) -> str:
    """inline with an ASCII fallback and the real name RFC 5987-encoded (F03_2026-00001.pdf)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("/{document_id:uuid}")
async def open_document(document_id: uuid.UUID, backend: BackendDep) -> StreamingResponse:
    """Streams the PDF of a generated document."""
    pdf = await backend.document_pdf(str(document_id))
    headers = {"Content-Disposition": content_disposition(pdf.filename)}
    return StreamingResponse(
        pdf.response.aiter_bytes(),
        media_type="application/pdf",
        headers=headers,
        background=BackgroundTask(pdf.response.aclose),
    )
