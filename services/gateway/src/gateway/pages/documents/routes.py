"""Documents: generated forms opened as PDF, files stored with a record (資料), checks before printing, batches."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from starlette.responses import StreamingResponse

from gateway.pages.documents import attachment_routes, day_routes, print_routes, template_routes
from gateway.pages.documents.view import content_disposition, document_filename
from gateway.web.deps import PatientsDep, ReportsDep
from gateway.web.downloads import relay

router = APIRouter(prefix="/documents", tags=["帳票"])
router.include_router(attachment_routes.router)
router.include_router(print_routes.router)
router.include_router(template_routes.router)
router.include_router(day_routes.router)


@router.get("/{document_id:uuid}")
async def open_document(document_id: uuid.UUID, reports: ReportsDep, patients: PatientsDep) -> StreamingResponse:
    """Streams the PDF of a generated document, named after the form and the patient's 登録番号."""
    meta = await reports.document(str(document_id))
    number = meta.get("registration_no")
    if not number and meta.get("patient_id"):
        number = (await patients.patient(str(meta["patient_id"]))).get("registration_no")
    pdf = await reports.document_content(str(document_id))
    disposition = content_disposition(document_filename(meta, number))
    return relay(pdf, media_type="application/pdf", disposition=disposition)
