"""HTTP API of encrypted document packages: make one of a patient's documents, read it, download the ciphertext."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, status
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from reports.deps import PackageServiceDep
from reports.package.schemas import PackageCreate, PackageMade, PackageRead

router = APIRouter(prefix="/documents/packages", tags=["帳票・資料"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def make_package(data: PackageCreate, service: PackageServiceDep) -> PackageMade:
    """Encrypts the chosen documents of a patient into an AES-256 ZIP; the key is in this answer only (N32)."""
    return await service.make(data)


@router.get("/{package_id}")
async def view_package(package_id: uuid.UUID, service: PackageServiceDep) -> PackageRead:
    """One package's metadata (never its key)."""
    return PackageRead.model_validate(await service.view(package_id))


@router.get("/{package_id}/content", response_class=StreamingResponse)
async def download_package(package_id: uuid.UUID, service: PackageServiceDep) -> StreamingResponse:
    """The encrypted ZIP as it was made, streamed from the document store."""
    found, stream = await service.open_content(package_id)
    headers = {
        "Content-Disposition": f"attachment; filename=\"package-{found.id}.zip\"; filename*=UTF-8''"
        + quote(found.filename),
        "Content-Length": str(found.size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "ETag": f'"{found.sha256}"',
    }
    return StreamingResponse(
        stream.chunks(), media_type="application/zip", headers=headers, background=BackgroundTask(stream.close)
    )
