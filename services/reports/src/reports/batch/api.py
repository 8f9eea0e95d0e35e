"""HTTP API of batch printing by genre: ask, follow the progress, open the merged PDF."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, status
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from reports.batch.schemas import PrintBatchCreate, PrintBatchRead
from reports.deps import PrintBatchServiceDep

router = APIRouter(prefix="/batches", tags=["帳票・資料"])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def request_batch(data: PrintBatchCreate, service: PrintBatchServiceDep) -> PrintBatchRead:
    """Queues every form of a genre for the chosen records; printing goes on in the background."""
    return PrintBatchRead.of(await service.request(data))


@router.get("")
async def my_batches(service: PrintBatchServiceDep, limit: int = Query(20, ge=1, le=100)) -> list[PrintBatchRead]:
    """The user's own newest batches."""
    return [PrintBatchRead.of(b) for b in await service.recent(limit)]


@router.get("/{batch_id}")
async def batch_progress(batch_id: uuid.UUID, service: PrintBatchServiceDep) -> PrintBatchRead:
    """How far a batch got (forms done of the total) and, once done, its page count."""
    return PrintBatchRead.of(await service.progress(batch_id))


@router.get("/{batch_id}/content", response_class=StreamingResponse)
async def batch_content(batch_id: uuid.UUID, service: PrintBatchServiceDep) -> StreamingResponse:
    """The merged PDF of a finished batch (audited)."""
    batch, stream = await service.open_content(batch_id)
    headers = {
        "Content-Disposition": f'inline; filename="batch-{batch.id}.pdf"',
        "Content-Length": str(batch.size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(
        stream.chunks(), media_type="application/pdf", headers=headers, background=BackgroundTask(stream.close)
    )
