"""HTTP API of attachments (資料): upload, replace, list, read, preview, download, withdraw."""

from __future__ import annotations

import uuid
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.background import BackgroundTask
from tbms_contracts.audit import Operation
from tbms_core import audit
from tbms_core.errors import domain_error_response

from reports.attachment.errors import UploadRefused
from reports.attachment.schemas import (
    AttachmentDetails,
    AttachmentOwner,
    AttachmentPage,
    AttachmentRead,
    AttachmentWithdraw,
)
from reports.attachment.service import RECORD_TYPE, SERVICE, OpenedFile, UploadedFile
from reports.deps import AttachmentServiceDep, require_attachment_update

router = APIRouter(prefix="/attachments", tags=["帳票・資料"])
M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], values: dict[str, object]) -> M:
    """A form's fields as a schema; a bad one answers 422 with the Japanese message per field."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


async def _read(upload: UploadFile, limit: int) -> UploadedFile:
    """The upload's bytes, read no further than one byte past the limit (the size check refuses it)."""
    data = await upload.read(limit + 1)
    return UploadedFile(upload.filename or "", data)


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[Depends(require_attachment_update)])
async def upload_attachments(
    service: AttachmentServiceDep,
    files: Annotated[list[UploadFile], File()],
    owner_type: Annotated[str, Form()],
    owner_id: Annotated[uuid.UUID, Form()],
    kind: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    document_date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    person_id: Annotated[uuid.UUID | None, Form()] = None,
) -> list[AttachmentRead]:
    """Stores one or several files with a record, each checked for size, type and viruses first."""
    owner = _validated(AttachmentOwner, {"owner_type": owner_type, "owner_id": owner_id, "person_id": person_id})
    details = _validated(
        AttachmentDetails, {"kind": kind, "title": title, "document_date": document_date, "note": note}
    )
    uploaded = [await _read(upload, service.max_bytes) for upload in files]
    return [AttachmentRead.of(a) for a in await service.upload(owner, details, uploaded)]


@router.get("")
async def list_attachments(
    service: AttachmentServiceDep,
    owner_type: str,
    owner_id: uuid.UUID,
    withdrawn: bool = False,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> AttachmentPage:
    """A record's attachments, newest first; withdrawn ones only with `withdrawn=true`."""
    items, total = await service.page_of_owner(owner_type, owner_id, withdrawn=withdrawn, limit=limit, offset=offset)
    return AttachmentPage(items=[AttachmentRead.of(a) for a in items], total=total)


@router.get("/{attachment_id}")
async def view_attachment(attachment_id: uuid.UUID, service: AttachmentServiceDep) -> AttachmentRead:
    """One attachment with every version of its file."""
    return AttachmentRead.of(await service.view(attachment_id))


@router.post("/{attachment_id}/versions", dependencies=[Depends(require_attachment_update)])
async def replace_attachment(
    attachment_id: uuid.UUID,
    service: AttachmentServiceDep,
    file: Annotated[UploadFile, File()],
    version: Annotated[int, Form()],
) -> AttachmentRead:
    """Replaces the file with a new version (checked like an upload); the old versions stay."""
    return AttachmentRead.of(await service.replace(attachment_id, version, await _read(file, service.max_bytes)))


@router.post("/{attachment_id}/withdraw")
async def withdraw_attachment(
    attachment_id: uuid.UUID, data: AttachmentWithdraw, service: AttachmentServiceDep
) -> AttachmentRead:
    """Withdraws an attachment (取り下げ) with a reason; nothing is deleted."""
    return AttachmentRead.of(await service.withdraw(attachment_id, data))


@router.get("/{attachment_id}/content", response_class=StreamingResponse)
async def download_attachment(
    attachment_id: uuid.UUID, service: AttachmentServiceDep, number: int | None = Query(None, ge=1)
) -> StreamingResponse:
    """A version's file (the current one by default) as a download under its own name (audited)."""
    return _streamed(await service.open_file(attachment_id, number, preview=False), inline=False)


@router.get("/{attachment_id}/preview", response_class=StreamingResponse)
async def preview_attachment(
    attachment_id: uuid.UUID, service: AttachmentServiceDep, number: int | None = Query(None, ge=1)
) -> StreamingResponse:
    """A PDF or image shown in the browser (audited as a read)."""
    return _streamed(await service.open_file(attachment_id, number, preview=True), inline=True)


def _streamed(opened: OpenedFile, *, inline: bool) -> StreamingResponse:
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Disposition": (
            f"{disposition}; filename=\"{opened.fallback_name}\"; filename*=UTF-8''{quote(opened.filename)}"
        ),
        "Content-Length": str(opened.size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{opened.sha256}"',
    }
    stream = opened.stream
    return StreamingResponse(
        stream.chunks(), media_type=opened.content_type, headers=headers, background=BackgroundTask(stream.close)
    )


async def audit_refused_upload(request: Request, exc: Exception) -> JSONResponse:
    """Records a refused upload (infected, wrong type, too large, no scanner) in its own transaction."""
    assert isinstance(exc, UploadRefused)
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        async with request.app.state.db.session() as session:
            await audit.record(
                session,
                principal,
                SERVICE,
                Operation.CREATE,
                record_type=RECORD_TYPE,
                person_id=exc.person_id,
                result="refused",
                detail=f"{exc.code}: {exc.filename}",
            )
    return domain_error_response(exc)
