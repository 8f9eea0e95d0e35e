"""資料 (R20): the files stored with a patient or contact, uploaded (drag and drop or the file picker), shown in the
browser (PDF and images), downloaded and withdrawn with a reason. Reads need 資料 参照, changes 資料 更新."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response, StreamingResponse
from tbms_core.auth import Access, Area

from gateway.forms import EntryForm
from gateway.pages.documents import view as v
from gateway.pages.documents.entry_forms import UPLOAD_FIELDS, WITHDRAW_FIELDS
from gateway.web.deps import ContactsDep, PatientsDep, ReportsDep, require_access
from gateway.web.downloads import relay
from gateway.web.permissions import allows
from gateway.web.templating import flash, render

router = APIRouter()
CAN_READ = [Depends(require_access(Area.DOCUMENTS, Access.READ))]
OWNERS = {"patients": "patient", "contacts": "contact"}
MAX_FILES = 20


async def _owner(kind: str, owner_id: uuid.UUID, patients: PatientsDep, contacts: ContactsDep) -> v.Owner:
    if kind == "patients":
        return v.patient_owner(await patients.patient(str(owner_id)))
    return v.contact_owner(await contacts.contact(str(owner_id)))


async def _page(
    request: Request,
    owner: v.Owner,
    reports: ReportsDep,
    *,
    form: EntryForm | None = None,
    status_code: int = 200,
) -> Response:
    listed = await reports.attachments(owner.owner_type, owner.id, withdrawn=True)
    printed = None  # the forms printed about the record (filed by reports); listing them needs 帳票 参照
    session = getattr(request.state, "session", None)
    if allows(session.user if session is not None else None, Area.FORMS):
        printed = [v.printed_row(d) for d in (await reports.printed_documents(owner.owner_type, owner.id))["items"]]
    context = {
        "printed": printed,
        "title": f"資料：{owner.name}",
        "owner": owner,
        "items": [v.attachment_row(a) for a in listed["items"] if not a["withdrawn"]],
        "withdrawn": [v.attachment_row(a) for a in listed["items"] if a["withdrawn"]],
        "form": form or EntryForm(UPLOAD_FIELDS, {"kind": ""}),
        "withdraw_fields": WITHDRAW_FIELDS,
    }
    return render(request, "documents/attachments.html", context, status_code=status_code)


@router.get("/{kind}/{owner_id:uuid}/files", dependencies=CAN_READ)
async def attachments_page(
    request: Request, kind: str, owner_id: uuid.UUID, reports: ReportsDep, patients: PatientsDep, contacts: ContactsDep
) -> Response:
    """A patient's or contact's stored files, with the upload form for users who may add files."""
    return await _page(request, await _owner(v.owner_kind(kind), owner_id, patients, contacts), reports)


@router.post("/{kind}/{owner_id:uuid}/files")
async def upload(
    request: Request, kind: str, owner_id: uuid.UUID, reports: ReportsDep, patients: PatientsDep, contacts: ContactsDep
) -> Response:
    """Stores the chosen files with the record; a refused file (type, size, virus) is named beside the field."""
    owner = await _owner(v.owner_kind(kind), owner_id, patients, contacts)
    posted = await request.form()
    form = EntryForm.posted(UPLOAD_FIELDS, posted)
    uploads = [f for f in posted.getlist("files") if isinstance(f, UploadFile) and f.filename]
    if not uploads:
        form.place({"files": "ファイルを選んでください。"})
    elif len(uploads) > MAX_FILES:
        form.place({"files": f"一度に保存できるのは{MAX_FILES}ファイルまでです。"})
    if form.errors:
        return await _page(request, owner, reports, form=form, status_code=422)
    files = [(u.filename or "", await u.read(), u.content_type or "application/octet-stream") for u in uploads]
    fields = {k: str(val or "") for k, val in form.json(skip=("files",)).items()}
    result = await reports.upload_attachments({"owner_type": owner.owner_type, "owner_id": owner.id, **fields}, files)
    if result.errors:
        form.place(result.errors)
        return await _page(request, owner, reports, form=form, status_code=422)
    stored = (result.record or {}).get("items") or []
    flash(request, f"{len(stored)}件の資料を保存しました（ウイルス検査済み）。")
    return RedirectResponse(owner.page, status_code=303)


@router.get("/files/{attachment_id:uuid}/preview", dependencies=CAN_READ)
async def preview(attachment_id: uuid.UUID, reports: ReportsDep, number: int | None = None) -> StreamingResponse:
    """A PDF or image shown in the browser (audited by reports)."""
    opened = await reports.attachment_file(str(attachment_id), preview=True, number=number)
    return relay(opened, media_type=opened.headers.get("content-type", "application/octet-stream"))


@router.get("/files/{attachment_id:uuid}/download", dependencies=CAN_READ)
async def download(attachment_id: uuid.UUID, reports: ReportsDep, number: int | None = None) -> StreamingResponse:
    """The file under its own name (audited by reports)."""
    opened = await reports.attachment_file(str(attachment_id), preview=False, number=number)
    return relay(opened, media_type=opened.headers.get("content-type", "application/octet-stream"))


@router.post("/files/{attachment_id:uuid}/withdraw")
async def withdraw(
    request: Request, attachment_id: uuid.UUID, reports: ReportsDep, patients: PatientsDep, contacts: ContactsDep
) -> Response:
    """Withdraws a file with the reason typed (nothing is deleted); without a reason the page says so."""
    posted = await request.form()
    attachment = await reports.attachment(str(attachment_id))
    owner = await _owner(v.kind_of(attachment["owner_type"]), uuid.UUID(attachment["owner_id"]), patients, contacts)
    reason = str(posted.get("reason") or "").strip()
    result = await reports.withdraw_attachment(str(attachment_id), int(str(posted.get("version") or 0)), reason)
    if result.errors or result.conflict:
        message = result.conflict or next(iter((result.errors or {}).values()), "")
        if not reason:
            message = "取り下げの理由を入力してください。"
        flash(request, f"「{attachment['title']}」を取り下げできませんでした: {message}")
    else:
        flash(request, f"「{attachment['title']}」を取り下げました。")
    return RedirectResponse(owner.page, status_code=303)
